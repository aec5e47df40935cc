using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Delivery.Http.Telegram;

/// <summary>
/// Verification codes through Telegram's Gateway API: OpenTfa's own PIN travels as the
/// <c>code</c> of <c>sendVerificationMessage</c>, and OpenTfa alone verifies it (the gateway's
/// <c>checkVerificationStatus</c> is never asked). With <c>UseCheckSendAbility</c>, each message
/// first asks <c>checkSendAbility</c>: a number that cannot receive fails at once and costs
/// nothing; otherwise the fee is paid there and the send that names its <c>request_id</c> is free.
/// That <c>request_id</c> is kept per OpenTfa message in this node's memory until the message is
/// sent or refused, so a retry never pays twice. The gateway's <c>request_id</c> of the send is
/// the channel message id that its delivery reports name.
/// </summary>
public sealed class TelegramGatewayChannel : HttpGatewayChannel<TelegramChannelOptions>
{
    public const string Type = "telegram";

    /// <summary>The range of <c>ttl</c> the gateway takes, in seconds.</summary>
    public const int MinTtlSeconds = 30;

    public const int MaxTtlSeconds = 3600;

    /// <summary>How far a report's <c>X-Request-Timestamp</c> may lie from OpenTfa's clock.</summary>
    public static readonly TimeSpan ReportWindow = TimeSpan.FromMinutes(5);

    /// <summary>The gateway's answer to a send that names a request id already sent with: the earlier send went through.</summary>
    private const string RequestIdAlreadyUsed = "REQUEST_ID_ALREADY_USED";

    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, PaidRequest> _paid = new(StringComparer.Ordinal);
    private readonly byte[] _reportKey;
    private long _nextPrune;

    public TelegramGatewayChannel(string name, TelegramChannelOptions options, TimeProvider time, ILogger<TelegramGatewayChannel> logger)
        : base(Type, "Telegram", ChannelKind.Telegram, name, options, time, logger) =>
        _reportKey = SHA256.HashData(Encoding.UTF8.GetBytes(options.AccessToken));

    /// <summary>How many messages have a paid <c>checkSendAbility</c> request whose send has not gone through yet.</summary>
    internal int PaidRequests => _paid.Count;

    /// <summary>Whether the gateway can carry <paramref name="code"/>: 4 to 8 digits.</summary>
    public static bool IsGatewayCode(string? code) => code is { Length: >= 4 and <= 8 } && code.All(char.IsAsciiDigit);

    /// <summary>
    /// The <c>ttl</c> for a PIN that expires at <paramref name="expiresAt"/>: the whole seconds left,
    /// at least <see cref="MinTtlSeconds"/> (a PIN with less left still gets its code; OpenTfa refuses
    /// it once expired) and at most <see cref="MaxTtlSeconds"/>; none when the expiry is unknown.
    /// </summary>
    public static int? Ttl(DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt is { } expiry ? (int)Math.Clamp(Math.Floor((expiry - now).TotalSeconds), MinTtlSeconds, MaxTtlSeconds) : null;

    protected override string? Refusal(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string? code = message.Content.Code;
        if (code is null)
        {
            return $"the message carries no code for the Telegram channel '{Name}'";
        }

        return IsGatewayCode(code)
            ? null
            : $"Telegram's gateway carries codes of 4 to 8 digits only, and this PIN has {code.Length} characters{(code.All(char.IsAsciiDigit) ? string.Empty : ", not all digits")}; use a NUMERIC template of 4 to 8 digits for Telegram";
    }

    /// <summary><c>checkSendAbility</c>, unless it is off or this message already has a paid request.</summary>
    private protected override async Task<DeliveryResult?> PrepareAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (!Options.UseCheckSendAbility || _paid.ContainsKey(message.Id))
        {
            return null;
        }

        using HttpRequestMessage request = Call("checkSendAbility", json => json.WriteString("phone_number", SmsText.E164(message.To)));
        GatewayAnswer answer = await SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        TelegramReply reply = TelegramReply.Read(answer);
        if (reply.RequestId is { } requestId)
        {
            Prune();
            _paid[message.Id] = new PaidRequest(requestId, message.ExpiresAt ?? Time.GetUtcNow().AddSeconds(MaxTtlSeconds));
            return null;
        }

        return reply.Failure("checkSendAbility", answer);
    }

    protected override HttpRequestMessage CreateRequest(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string? paid = _paid.TryGetValue(message.Id, out PaidRequest? request) ? request.RequestId : null;
        int? ttl = Ttl(message.ExpiresAt, Time.GetUtcNow());
        return Call("sendVerificationMessage", json =>
        {
            json.WriteString("phone_number", SmsText.E164(message.To));
            if (paid is not null)
            {
                json.WriteString("request_id", paid);
            }

            json.WriteString("code", message.Content.Code);
            if (ttl is { } seconds)
            {
                json.WriteNumber("ttl", seconds);
            }

            if (Options.CallbackBaseUrl is { } callback)
            {
                json.WriteString("callback_url", CallbackPaths.Absolute(callback, CallbackPaths.Telegram(Name)));
            }

            json.WriteString("payload", message.Id);
            if (Options.SenderUsername is { } sender)
            {
                json.WriteString("sender_username", sender.TrimStart('@'));
            }
        });
    }

    private protected override DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message)
    {
        TelegramReply reply = TelegramReply.Read(answer);
        string? paid = _paid.TryGetValue(message.Id, out PaidRequest? request) ? request.RequestId : null;
        DeliveryResult result = reply.RequestId is { } requestId
            ? DeliveryResult.Accepted(requestId)
            : reply.Error == RequestIdAlreadyUsed && paid is not null
                ? DeliveryResult.Accepted(paid)
                : reply.Failure("sendVerificationMessage", answer);

        // A paid request is spent once the code went out or the message is refused for good; one the
        // gateway no longer takes is dropped, so that the next attempt asks checkSendAbility again.
        if (result.Outcome != DeliveryOutcome.TemporaryFailure || reply.Error?.StartsWith("REQUEST_ID", StringComparison.Ordinal) == true)
        {
            _paid.TryRemove(message.Id, out _);
        }

        return result;
    }

    /// <summary>
    /// Reads a delivery report: <c>X-Request-Signature</c> must be the hex HMAC-SHA256, keyed with the
    /// SHA-256 of the access token, of <c>X-Request-Timestamp</c>, a line feed and the raw body, and the
    /// timestamp within <see cref="ReportWindow"/> of now. <c>delivered</c> and <c>read</c> deliver the
    /// message, <c>expired</c> and <c>revoked</c> fail it, <c>sent</c> changes nothing.
    /// </summary>
    public CallbackResult ReadReport(string? timestamp, string? signature, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!TelegramReportSignature.IsValid(_reportKey, timestamp, body, signature))
        {
            return new CallbackResult.Unauthenticated("the X-Request-Signature does not match the request");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            || Math.Abs(Time.GetUtcNow().ToUnixTimeSeconds() - seconds) > (long)ReportWindow.TotalSeconds)
        {
            return new CallbackResult.Unauthenticated($"the X-Request-Timestamp is more than {ReportWindow.TotalMinutes:0} minutes away from OpenTfa's clock");
        }

        if (TelegramReply.ReadStatus(body) is not ({ } requestId, { } status, var updatedAt))
        {
            return new CallbackResult.Invalid("a report needs request_id and delivery_status.status");
        }

        Log.Report(Logger, Type, Name, requestId, status);
        DateTimeOffset? at = updatedAt is { } unix and >= 0 and < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(unix) : null;
        return new CallbackResult.Report(status switch
        {
            "delivered" or "read" => new DeliveryReport(requestId, MessageState.Delivered, null, at),
            "expired" => new DeliveryReport(requestId, MessageState.Failed, "Telegram: expired (deleted unread when its ttl ran out)", at),
            "revoked" => new DeliveryReport(requestId, MessageState.Failed, "Telegram: revoked", at),
            _ => null,
        });
    }

    /// <summary>A Gateway API method called with a JSON body and the access token as a bearer token.</summary>
    private HttpRequestMessage Call(string method, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{Options.BaseUrl.AbsoluteUri.TrimEnd('/')}/{method}"))
        {
            Content = new ByteArrayContent(buffer.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>Forgets paid requests of messages whose PIN has expired (sent along another channel, or never).</summary>
    private void Prune()
    {
        DateTimeOffset now = Time.GetUtcNow();
        long due = Interlocked.Read(ref _nextPrune);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextPrune, (now + PruneInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach ((string messageId, PaidRequest request) in _paid)
        {
            if (request.Until <= now)
            {
                _paid.TryRemove(messageId, out _);
            }
        }
    }

    private sealed record PaidRequest(string RequestId, DateTimeOffset Until);
}
