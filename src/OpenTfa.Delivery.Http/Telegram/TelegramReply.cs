using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Http.Telegram;

/// <summary>
/// An answer of the Gateway API, <c>{"ok":true,"result":{…}}</c> or <c>{"ok":false,"error":"NAME"}</c>,
/// and how a failed one becomes a delivery result. Telegram documents no error names besides
/// <c>ACCESS_TOKEN_INVALID</c>, so they are read by their shape: flood control, server errors and
/// problems of the account or the channel's settings are temporary (the route's next channel may
/// take the message, and the channel's circuit counts them); anything about the number, the code,
/// the ttl or the payload — and any name not recognised — refuses the message.
/// </summary>
internal sealed record TelegramReply(bool Ok, string? Error, string? RequestId)
{
    private static readonly string[] ChannelProblems = ["ACCESS_TOKEN", "BALANCE", "CALLBACK_URL", "SENDER", "REQUEST_ID"];

    public static TelegramReply Read(GatewayAnswer answer)
    {
        if (answer.Failure is not null)
        {
            return new TelegramReply(false, null, null);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(answer.Body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new TelegramReply(false, null, null);
            }

            bool ok = root.TryGetProperty("ok", out JsonElement okValue) && okValue.ValueKind == JsonValueKind.True;
            string? error = !ok && root.TryGetProperty("error", out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            string? requestId = ok && root.TryGetProperty("result", out JsonElement result) ? Text(result, "request_id") : null;
            return new TelegramReply(ok, string.IsNullOrEmpty(error) ? null : error, string.IsNullOrEmpty(requestId) ? null : requestId);
        }
        catch (JsonException)
        {
            return new TelegramReply(false, null, null);
        }
    }

    /// <summary>Why <paramref name="method"/> did not give a request id, naming the gateway's error.</summary>
    public DeliveryResult Failure(string method, GatewayAnswer answer)
    {
        if (answer.Failure is { } failure)
        {
            return DeliveryResult.Temporary(failure);
        }

        if (Error is null)
        {
            return DeliveryResult.Temporary(Ok
                ? $"Telegram's gateway answered {method} without a request_id"
                : $"Telegram's gateway answered {method} with HTTP {answer.Code}: {GatewayOutcome.Snippet(answer.Body)}");
        }

        string text = $"Telegram's gateway answered {method} with {Error}{(answer.Code == 200 ? string.Empty : $" (HTTP {answer.Code})")}";
        return IsTemporary(Error, answer.Code) ? DeliveryResult.Temporary(text) : DeliveryResult.Permanent(text);
    }

    private static bool IsTemporary(string error, int status) =>
        status is 408 or 429 or >= 500
        || error.StartsWith("FLOOD", StringComparison.Ordinal)
        || error.Contains("TOO_MANY", StringComparison.Ordinal)
        || error.Contains("INTERNAL", StringComparison.Ordinal)
        || ChannelProblems.Any(p => error.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The request id, <c>delivery_status.status</c> and its <c>updated_at</c> of a delivery report (a RequestStatus).</summary>
    public static (string? RequestId, string? Status, long? UpdatedAt) ReadStatus(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("delivery_status", out JsonElement delivery) || delivery.ValueKind != JsonValueKind.Object)
            {
                return (Text(root, "request_id"), null, null);
            }

            long? updatedAt = delivery.TryGetProperty("updated_at", out JsonElement u) && u.ValueKind == JsonValueKind.Number && u.TryGetInt64(out long unix) ? unix : null;
            return (Text(root, "request_id"), Text(delivery, "status"), updatedAt);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}

/// <summary>
/// The signature of the gateway's delivery reports: <c>X-Request-Signature</c> is the lower-case hex
/// HMAC-SHA256 of <c>X-Request-Timestamp</c>, a line feed and the raw body, keyed with the SHA-256
/// digest of the access token (its 32 bytes, as Telegram keys its other signatures).
/// </summary>
internal static class TelegramReportSignature
{
    public static byte[] Compute(byte[] key, string timestamp, byte[] body)
    {
        byte[] prefix = Encoding.UTF8.GetBytes(timestamp + "\n");
        byte[] data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data, prefix.Length);
        return HMACSHA256.HashData(key, data);
    }

    /// <summary>Compares in fixed time; a missing timestamp or signature, or one that is not 64 hex digits, never matches.</summary>
    public static bool IsValid(byte[] key, string? timestamp, byte[] body, string? signature)
    {
        if (string.IsNullOrEmpty(timestamp) || signature is not { Length: 64 })
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Compute(key, timestamp, body), given);
    }
}
