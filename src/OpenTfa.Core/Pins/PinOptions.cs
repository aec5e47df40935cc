using OpenTfa.Core.Configuration;

namespace OpenTfa.Core.Pins;

/// <summary>Rules on what callers may put into a message (<c>OpenTfa:Pins</c>).</summary>
public sealed class PinOptions
{
    /// <summary>The most SMS segments one rendered message may take.</summary>
    [SettingRange(1, 20)]
    public int MaxSmsSegments { get; set; } = 6;

    [SettingRange(1, 65536)]
    public int MaxPlaceholderLength { get; set; } = 256;

    /// <summary>The SMS sender used when neither the request nor the template names one.</summary>
    [SettingRequired]
    public string DefaultSmsSender { get; set; } = "OpenTfa";

    /// <summary>When set, a <c>from</c> outside this list is refused.</summary>
    public IList<string> AllowedSenders { get; } = [];

    [SettingRequired]
    public string DefaultEmailFrom { get; set; } = "OpenTfa <no-reply@localhost>";

    [SettingRequired]
    public string DefaultEmailSubject { get; set; } = "Your verification code";

    [SettingRequired]
    public string DefaultEmailText { get; set; } = "Your verification code is {{pin}}";
}
