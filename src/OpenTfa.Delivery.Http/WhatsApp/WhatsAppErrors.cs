using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Http.WhatsApp;

/// <summary>What an error of Meta's Cloud API means for the message.</summary>
internal enum WhatsAppFailure
{
    /// <summary>Sending the same message again cannot work: the recipient is not on WhatsApp, the template or its parameters are wrong.</summary>
    Permanent,

    /// <summary>This recipient cannot get it now (rate limits per user, the re-engagement window); the channel is fine.</summary>
    Recipient,

    /// <summary>The channel cannot send now (throughput, an outage, the token or the account); another channel of the route may.</summary>
    Channel,
}

/// <summary>An error as Meta reports it, in a send's answer or in a <c>failed</c> status.</summary>
internal sealed partial record WhatsAppError(int Code, string Title, string? Details)
{
    /// <summary><c>WA_131026 Message undeliverable</c>, with Meta's details when they say more than the title.</summary>
    public string Text
    {
        get
        {
            string text = $"WA_{Code} {Title}";
            return Details is { Length: > 0 } details && !string.Equals(details.Trim().TrimEnd('.'), Title.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)
                ? $"{text} ({GatewayOutcome.Snippet(details)})"
                : text;
        }
    }

    /// <summary>The error object of a Graph API answer (<c>{"error":{"code","message","error_data":{"details"}}}</c>) or of a status's <c>errors[]</c> (<c>code</c>, <c>title</c>).</summary>
    public static WhatsAppError? Read(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object || !error.TryGetProperty("code", out JsonElement code) || !code.TryGetInt32(out int number))
        {
            return null;
        }

        string? title = WhatsAppErrors.String(error, "title") ?? WhatsAppErrors.String(error, "error_user_title") ?? WhatsAppErrors.String(error, "message");
        string? details = error.TryGetProperty("error_data", out JsonElement data) && data.ValueKind == JsonValueKind.Object ? WhatsAppErrors.String(data, "details") : null;
        return new WhatsAppError(number, string.IsNullOrWhiteSpace(title) ? "error" : CodePrefix().Replace(title, string.Empty).Trim(), details);
    }

    /// <summary>Graph messages start with their code: <c>(#131026) Message undeliverable</c>.</summary>
    [GeneratedRegex(@"^\(#[0-9]+\)\s*")]
    private static partial Regex CodePrefix();
}

/// <summary>How Meta's answers to a send become delivery results.</summary>
internal static class WhatsAppErrors
{
    private static readonly FrozenSet<int> PermanentCodes = FrozenSet.Create(
        100, 131008, 131009, // invalid or missing parameter
        131021, // recipient is the sender
        131026, // undeliverable: not a WhatsApp user, or cannot receive it
        131030, // recipient not on the allowed list (a test number)
        131051, // unsupported message type
        132000, 132005, 132007, 132012, // parameters do not fit the template
        132001, // the template does not exist in that language
        132015, 132016); // the template is paused or disabled

    private static readonly FrozenSet<int> RecipientCodes = FrozenSet.Create(
        131047, // outside the re-engagement window
        131048, // spam rate limit for this recipient
        131049, // held back by Meta for this user's engagement
        131056); // too many messages to this recipient

    private static readonly FrozenSet<int> ChannelCodes = FrozenSet.Create(
        0, 1, 2, 3, 4, 10, 190, 368, 80007,
        130429, // throughput reached
        131000, 131005, 131016, 131031, 131042, 131045, 131057, 133010);

    public static WhatsAppFailure Classify(int code, int httpStatus) => code switch
    {
        _ when PermanentCodes.Contains(code) => WhatsAppFailure.Permanent,
        _ when RecipientCodes.Contains(code) => WhatsAppFailure.Recipient,
        _ when ChannelCodes.Contains(code) || code is >= 200 and < 300 => WhatsAppFailure.Channel,
        _ => httpStatus is >= 400 and < 500 and not (401 or 403 or 408 or 429) ? WhatsAppFailure.Permanent : WhatsAppFailure.Channel,
    };

    public static DeliveryResult Failed(WhatsAppError error, int httpStatus) => Classify(error.Code, httpStatus) switch
    {
        WhatsAppFailure.Permanent => DeliveryResult.Permanent(error.Text),
        WhatsAppFailure.Recipient => DeliveryResult.TemporaryForRecipient(error.Text),
        _ => DeliveryResult.Temporary(error.Text),
    };

    /// <summary>Accepted with the message's <c>wamid</c>; otherwise Meta's error, classified by its code.</summary>
    public static DeliveryResult Result(GatewayAnswer answer)
    {
        if (answer.Failure is { } failure)
        {
            return DeliveryResult.Temporary(failure);
        }

        using JsonDocument? document = Parse(answer.Body);
        JsonElement root = document?.RootElement ?? default;
        if (answer.IsSuccess)
        {
            return MessageId(root) is { } wamid
                ? DeliveryResult.Accepted(wamid)
                : DeliveryResult.Temporary($"WhatsApp answered {answer.Code} without a message id: {GatewayOutcome.Snippet(answer.Body)}");
        }

        return ErrorOf(root) is { } error
            ? Failed(error, answer.Code)
            : GatewayOutcome.Classify(answer, string.Empty, a => $"WhatsApp answered {a.Code}: {GatewayOutcome.Snippet(a.Body)}");
    }

    /// <summary>The Graph API error of an answer's body, if it has one.</summary>
    public static WhatsAppError? ErrorOf(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement error) ? WhatsAppError.Read(error) : null;

    /// <summary>A string property of a JSON object, or null.</summary>
    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static JsonDocument? Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? MessageId(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("messages", out JsonElement messages) && messages.ValueKind == JsonValueKind.Array && messages.GetArrayLength() > 0
        && messages[0].ValueKind == JsonValueKind.Object && messages[0].TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
}
