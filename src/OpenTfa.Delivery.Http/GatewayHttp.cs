using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;

namespace OpenTfa.Delivery.Http;

/// <summary>A gateway's answer: its status and body, or why there was none.</summary>
internal sealed record GatewayAnswer(HttpStatusCode? Status, string Body, string? Failure)
{
    public bool IsSuccess => Status is { } s && (int)s is >= 200 and < 300;

    public int Code => Status is { } s ? (int)s : 0;
}

/// <summary>
/// The HTTP client every gateway channel uses: certificates validated by the platform,
/// redirects never followed (a gateway that redirects is misconfigured, and following could
/// leak credentials or the PIN elsewhere), one deadline per request.
/// </summary>
/// <remarks>
/// Where the connection goes: a gateway URL that names a literal address, <c>localhost</c> or
/// a name that cannot be public (<see cref="SpecialPurposeAddresses.IsNonPublicName"/>) is the
/// operator's explicit choice and is connected to as configured (Kannel on 127.0.0.1 is the
/// usual deployment). A public DNS name must resolve, at every connection, to a globally
/// reachable address (<see cref="SpecialPurposeAddresses"/>), so that a provider's name that
/// comes to resolve to an internal address cannot turn the channel against the operator's
/// network; the channel's <c>AllowPrivateNetworks: true</c> lifts that check. Through a proxy,
/// only the proxy (also the operator's choice) is connected to directly.
/// </remarks>
internal sealed class GatewayHttp : IDisposable
{
    private const int MaxBody = 64 * 1024;
    private const string PrivateNetworksOff = "the channel's AllowPrivateNetworks is off";
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;

    public GatewayHttp(HttpChannelOptions options, OutboundConnector? connector = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeout = options.Timeout;
        bool allowPrivateNetworks = options.AllowPrivateNetworks;
        OutboundConnector connect = connector ?? new OutboundConnector();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = _timeout,
            ConnectCallback = (context, cancellationToken) =>
            {
                string host = context.DnsEndPoint.Host;
                bool operatorsChoice = allowPrivateNetworks
                    || IPAddress.TryParse(host.Trim('[', ']'), out _)
                    || SpecialPurposeAddresses.IsNonPublicName(host)
                    || !string.Equals(host, context.InitialRequestMessage.RequestUri?.IdnHost, StringComparison.OrdinalIgnoreCase);
                return connect.ConnectAsync(host, context.DnsEndPoint.Port, operatorsChoice ? _ => true : SpecialPurposeAddresses.IsGloballyReachable, PrivateNetworksOff, cancellationToken);
            },
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("OpenTfa", "1.0"));
    }

    public TimeSpan Timeout => _timeout;

    public async Task<GatewayAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            string body = await ReadLimitedAsync(response, deadline.Token).ConfigureAwait(false);
            return new GatewayAnswer(response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new GatewayAnswer(null, string.Empty, $"no answer from {Describe(request.RequestUri)} within {_timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return new GatewayAnswer(null, string.Empty, $"could not reach {Describe(request.RequestUri)}: {e.Message}");
        }
    }

    /// <summary>Only scheme, host and port: query strings carry credentials and the PIN.</summary>
    public static string Describe(Uri? uri) => uri is null ? "the gateway" : uri.GetLeftPart(UriPartial.Authority);

    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBody];
        int total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>How an answer from a provider's API becomes a delivery result.</summary>
internal static class GatewayOutcome
{
    /// <summary>
    /// For provider APIs: 2xx accepted; 401, 403, 408, 429 and 5xx temporary (the channel's
    /// credentials or the provider's state, which another gateway of the route may not share);
    /// other 4xx refuse the message. A 3xx is temporary: redirects are not followed.
    /// </summary>
    public static DeliveryResult Classify(GatewayAnswer answer, string acceptedId, Func<GatewayAnswer, string> describe)
    {
        if (answer.Failure is { } failure)
        {
            return DeliveryResult.Temporary(failure);
        }

        if (answer.IsSuccess)
        {
            return DeliveryResult.Accepted(acceptedId);
        }

        string error = describe(answer);
        return answer.Code is >= 400 and < 500 and not (401 or 403 or 408 or 429)
            ? DeliveryResult.Permanent(error)
            : DeliveryResult.Temporary(error);
    }

    /// <summary>The first line of a body, short enough for a message's error column.</summary>
    public static string Snippet(string body)
    {
        string line = body.Trim().Split('\n', 2)[0].Trim();
        return line.Length <= 200 ? line : line[..200] + "…";
    }
}
