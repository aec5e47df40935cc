using OpenTfa.Core.Configuration;

namespace OpenTfa.Core.Protection;

/// <summary>Bounds on what tenants may set in their protection policies (<c>OpenTfa:Protection</c>).</summary>
public sealed class ProtectionOptions
{
    /// <summary>
    /// How far ahead a test number's expiry may lie. A test number turns off random PINs for a
    /// real destination, so it must not outlive the review or test run it was made for.
    /// </summary>
    [PositiveDuration(MaximumDays = 366)]
    public TimeSpan MaxTestNumberLifetime { get; set; } = TimeSpan.FromDays(90);
}
