using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Protection;

/// <summary>What NIST SP 800-63B mode enforces on an application's settings and templates.</summary>
public static class NistMode
{
    public static readonly TimeSpan MaxTtl = TimeSpan.FromMinutes(10);
    public const int MinimumNumericLength = 6;

    /// <summary>Consecutive failed verifications after which a destination is locked out (SP 800-63B 5.2.2).</summary>
    public const int MaxConsecutiveFailures = 100;

    public static ApplicationSettings Clamp(ApplicationSettings settings) => settings with
    {
        PinTimeToLive = settings.PinTtl > MaxTtl ? "10m" : settings.PinTimeToLive,
        AllowMultiplePinVerifications = false,
    };

    public static MessageTemplate Clamp(MessageTemplate template) => template with
    {
        PinType = PinType.Numeric,
        PinLength = Math.Max(template.PinLength, MinimumNumericLength),
    };
}

/// <summary>The pseudo-channel of test numbers: their messages are marked delivered here and never leave OpenTfa.</summary>
public sealed class TestNumberChannel : IMessageChannel
{
    public static readonly TestNumberChannel Instance = new();

    public string Name => "test-number";

    public bool Supports(ChannelKind kind) => true;

    public Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryResult.Accepted("test-number"));
}
