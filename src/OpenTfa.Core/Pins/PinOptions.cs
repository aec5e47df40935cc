namespace OpenTfa.Core.Pins;

/// <summary>Rules on what callers may put into a message (<c>OpenTfa:Pins</c>).</summary>
public sealed class PinOptions
{
    /// <summary>The most SMS segments one rendered message may take.</summary>
    public int MaxSmsSegments { get; set; } = 6;

    public int MaxPlaceholderLength { get; set; } = 256;

    /// <summary>The SMS sender used when neither the request nor the template names one.</summary>
    public string DefaultSmsSender { get; set; } = "OpenTfa";

    /// <summary>When set, a <c>from</c> outside this list is refused.</summary>
    public IList<string> AllowedSenders { get; } = [];

    public string DefaultEmailFrom { get; set; } = "OpenTfa <no-reply@localhost>";

    public string DefaultEmailSubject { get; set; } = "Your verification code";

    public string DefaultEmailText { get; set; } = "Your verification code is {{pin}}";
}
