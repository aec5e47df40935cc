using OpenTfa.Core.Configuration;

namespace OpenTfa.Server.Hosting;

/// <summary>Metrics and traces (<c>OpenTfa:Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "OpenTfa:Telemetry";

    /// <summary>Serve Prometheus metrics at <see cref="MetricsPath"/> to a key of the operator tenant with <c>opentfa:metrics</c> or <c>opentfa:admin</c>.</summary>
    public bool MetricsEnabled { get; set; } = true;

    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>Label OpenTfa's metrics with the application id (tenant data, so off unless the operator wants it).</summary>
    public bool ApplicationLabels { get; set; }

    /// <summary>Client addresses or CIDR networks allowed to scrape; empty allows any. Others get 404.</summary>
    public IList<string> MetricsAllowedNetworks { get; } = [];

    /// <summary>OTLP collector endpoint (e.g. <c>http://127.0.0.1:4317</c>); traces and metrics are exported there when set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    [OneOf("grpc", "http/protobuf")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    [SettingRequired]
    public string ServiceName { get; set; } = "opentfa";

    /// <summary>Fraction of traces kept (parent-based: a sampled caller's trace is always kept).</summary>
    [SettingRange(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>The rules a single attribute cannot say.</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (!MetricsPath.StartsWith('/') || MetricsPath.StartsWith("/2fa", StringComparison.OrdinalIgnoreCase) || MetricsPath.StartsWith("/opentfa", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{section}:MetricsPath must start with / and lie outside /2fa and /opentfa, was '{MetricsPath}'";
        }

        foreach (string problem in NetworkProblems($"{section}:MetricsAllowedNetworks", MetricsAllowedNetworks))
        {
            yield return problem;
        }

        if (OtlpEndpoint is not null && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            yield return $"{section}:OtlpEndpoint must be an absolute URL, was '{OpenTfa.Core.Security.SecretRedaction.Text(OtlpEndpoint)}'";
        }
    }

    /// <summary>Each entry of a list of networks that is neither an address nor a CIDR network.</summary>
    public static IEnumerable<string> NetworkProblems(string setting, IEnumerable<string> networks) =>
        networks.Where(n => !TryParseNetwork(n, out _)).Select(n => $"{setting}: '{n}' is not an address or a CIDR network such as 10.0.0.0/8");

    public static bool TryParseNetwork(string text, out System.Net.IPNetwork network)
    {
        if (System.Net.IPAddress.TryParse(text, out System.Net.IPAddress? address))
        {
            network = new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return System.Net.IPNetwork.TryParse(text, out network);
    }
}

/// <summary>Log output (<c>OpenTfa:Logging</c>).</summary>
public sealed class LoggingOptions
{
    public const string Section = "OpenTfa:Logging";

    /// <summary>One JSON object per line on standard output, with scopes (trace and span ids included).</summary>
    public bool Json { get; set; }
}
