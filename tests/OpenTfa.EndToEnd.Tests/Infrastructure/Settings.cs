using OpenTfa.Delivery.Smpp.Tests.Integration;

namespace OpenTfa.EndToEnd.Tests.Infrastructure;

/// <summary>The OpenTfa settings of the end-to-end tests: SMS over SMPP to the simulator, every delay short.</summary>
public static class Settings
{
    public const string BootstrapKey = TestServer.BootstrapKey;

    /// <summary>The channel named <c>carrier</c> bound to the SMSC at <paramref name="smscPort"/>, and the SMS route to it.</summary>
    public static Dictionary<string, string?> Smpp(int smscPort, string password = SmscProcess.Password) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["OpenTfa:BootstrapApiKey"] = BootstrapKey,
        ["OpenTfa:MaxAuthFailuresPerMinute"] = "1000",
        ["OpenTfa:Delivery:PollInterval"] = "00:00:00.100",
        ["OpenTfa:Delivery:RetryInitialDelay"] = "00:00:00.200",
        ["OpenTfa:Delivery:RetryMaxDelay"] = "00:00:01",
        ["OpenTfa:Delivery:SendTimeout"] = "00:00:05",
        ["OpenTfa:Delivery:Lease"] = "00:00:08",
        ["OpenTfa:Delivery:BatchSize"] = "16",
        ["OpenTfa:Delivery:Parallelism"] = "16",
        ["OpenTfa:Delivery:BreakerOpenDuration"] = "00:00:01",
        ["OpenTfa:Channels:carrier:Type"] = "smpp",
        ["OpenTfa:Channels:carrier:Host"] = "127.0.0.1",
        ["OpenTfa:Channels:carrier:Port"] = smscPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OpenTfa:Channels:carrier:SystemId"] = SmscProcess.SystemId,
        ["OpenTfa:Channels:carrier:Password"] = password,
        ["OpenTfa:Channels:carrier:LinkWaitTimeout"] = "00:00:01",
        ["OpenTfa:Channels:carrier:ResponseTimeout"] = "00:00:02",
        ["OpenTfa:Channels:carrier:ConnectTimeout"] = "00:00:02",
        ["OpenTfa:Channels:carrier:EnquireLinkInterval"] = "00:00:02",
        ["OpenTfa:Channels:carrier:ReconnectInitialDelay"] = "00:00:00.100",
        ["OpenTfa:Channels:carrier:ReconnectMaxDelay"] = "00:00:00.500",
        ["OpenTfa:Channels:carrier:ThrottleRetryDelay"] = "00:00:00.050",
        ["OpenTfa:Channels:carrier:MaxThrottleRetries"] = "2",
        ["OpenTfa:Channels:carrier:MaxMessagesPerSecond"] = "0",
        ["OpenTfa:Routes:Sms:0"] = "carrier",

        // A route left empty falls back to the first configured channel, which carries SMS only.
        ["OpenTfa:Channels:dev:Type"] = "log",
        ["OpenTfa:Routes:Voice:0"] = "dev",
        ["OpenTfa:Routes:Email:0"] = "dev",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>The same settings as environment variables (<c>OpenTfa__Channels__carrier__Host</c>).</summary>
    public static Dictionary<string, string?> AsEnvironment(IDictionary<string, string?> settings) =>
        settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value, StringComparer.Ordinal);
}
