using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Delivery.Http.WhatsApp;

/// <summary>A template Meta accepted for review.</summary>
public sealed record WhatsAppTemplate(string Id, string Status, string Category, string Name, string Language, string OtpType);

/// <summary>
/// WhatsApp PINs as authentication-template messages through Meta's Cloud API:
/// <c>POST {BaseUrl}/{ApiVersion}/{PhoneNumberId}/messages</c> with a Bearer token, the code as the
/// body's parameter and again as the parameter of the copy-code or one-tap button (the two are sent
/// alike; the template decides which the recipient sees). Meta's <c>wamid</c> matches the status
/// webhooks, signed with the app secret (<c>X-Hub-Signature-256</c>), to the message.
/// </summary>
public sealed class WhatsAppChannel : HttpGatewayChannel<WhatsAppChannelOptions>
{
    public const string Type = "whatsapp";

    /// <summary>The longest code an authentication template carries.</summary>
    public const int MaxCodeLength = 15;

    private const string SignaturePrefix = "sha256=";

    /// <summary>When to ask Meta again after it could not create a template.</summary>
    private static readonly TimeSpan RetryLater = TimeSpan.FromSeconds(30);

    /// <summary>JSON as Meta documents it: a number's <c>+</c> and other text unescaped (the body is never HTML).</summary>
    private static readonly JsonSerializerOptions Body = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Dictionary<string, WhatsAppTemplateOptions> _templates;

    public WhatsAppChannel(string name, WhatsAppChannelOptions options, TimeProvider time, ILogger<WhatsAppChannel> logger)
        : base(Type, "WhatsApp", ChannelKind.WhatsApp, name, options, time, logger) =>
        _templates = new Dictionary<string, WhatsAppTemplateOptions>(options.Templates, StringComparer.OrdinalIgnoreCase);

    protected override string? Refusal(OutgoingMessage message) => message.Content.Code switch
    {
        null or "" => "the message carries no code: a WhatsApp authentication template sends the code alone",
        { Length: > MaxCodeLength } code => $"a WhatsApp authentication template carries a code of at most {MaxCodeLength} characters, not {code.Length}",
        _ => null,
    };

    protected override HttpRequestMessage CreateRequest(OutgoingMessage message)
    {
        (string name, string language) = TemplateFor(message.Content);
        string code = message.Content.Code!;
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = SmsText.E164(message.To),
            ["type"] = "template",
            ["template"] = new JsonObject
            {
                ["name"] = name,
                ["language"] = new JsonObject { ["code"] = language },
                ["components"] = new JsonArray(
                    new JsonObject { ["type"] = "body", ["parameters"] = CodeParameter(code) },
                    new JsonObject { ["type"] = "button", ["sub_type"] = "url", ["index"] = "0", ["parameters"] = CodeParameter(code) }),
            },
        };
        return Graph($"{Options.PhoneNumberId}/messages", body);
    }

    private protected override DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message) => WhatsAppErrors.Result(answer);

    /// <summary>The Meta template for a message: its OpenTfa template's own under <c>Templates</c>, else the channel's.</summary>
    internal (string Name, string Language) TemplateFor(MessageContent content)
    {
        WhatsAppTemplateOptions? own = content.TemplateId is { } id && _templates.TryGetValue(id, out WhatsAppTemplateOptions? found) ? found : null;
        return (own?.Name ?? Options.TemplateName, own?.Language ?? Options.TemplateLanguage ?? WhatsAppLanguages.FromOpenTfa(content.Language));
    }

    /// <summary>Meta's subscription handshake: <c>hub.mode=subscribe</c> and the channel's VerifyToken, compared in fixed time.</summary>
    public bool AcceptsSubscription(string? mode, string? verifyToken) =>
        Options.VerifyToken is { Length: > 0 } expected && mode == "subscribe" && verifyToken is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(verifyToken)));

    /// <summary>
    /// A status notification: authentic when <paramref name="signature"/> is <c>sha256=</c> and the hex
    /// HMAC-SHA256 of the raw body under the AppSecret. <c>delivered</c> and <c>read</c> deliver the
    /// message, <c>failed</c> fails it with Meta's error, <c>sent</c> changes nothing (it is already
    /// submitted). One notification may carry several entries, changes and statuses.
    /// </summary>
    public CallbackResult ReadStatuses(byte[] body, string? signature)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(Options.AppSecret))
        {
            return new CallbackResult.Unauthenticated($"the WhatsApp channel '{Name}' has no AppSecret to check X-Hub-Signature-256 with");
        }

        if (!SignatureMatches(Options.AppSecret, body, signature))
        {
            return new CallbackResult.Unauthenticated("the X-Hub-Signature-256 does not match the body");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return new CallbackResult.Invalid("the body is not JSON");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("entry", out JsonElement entries) || entries.ValueKind != JsonValueKind.Array)
            {
                return new CallbackResult.Invalid("a WhatsApp notification has an entry array");
            }

            var reports = new List<DeliveryReport>();
            foreach (JsonElement status in Statuses(entries))
            {
                if (Report(status) is { } report)
                {
                    reports.Add(report);
                }
            }

            return new CallbackResult.Reports(reports);
        }
    }

    /// <summary>Creates the channel's authentication template at Meta (copy-code, or one-tap with the Android app) for review.</summary>
    public async Task<Result<WhatsAppTemplate>> CreateTemplateAsync(string? name, string? language, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(Options.WabaId))
        {
            return new TfaError(ErrorKind.BadRequest, $"The WhatsApp channel '{Name}' has no WabaId: templates are created on the WhatsApp Business Account");
        }

        name ??= Options.TemplateName;
        language ??= Options.TemplateLanguage ?? WhatsAppLanguages.Default;
        string otpType = Options.OneTap ? "ONE_TAP" : "COPY_CODE";
        var button = new JsonObject { ["type"] = "OTP", ["otp_type"] = otpType };
        if (Options.OneTap)
        {
            button["supported_apps"] = new JsonArray(new JsonObject { ["package_name"] = Options.AndroidPackageName, ["signature_hash"] = Options.AndroidSignatureHash!.Trim() });
        }

        var components = new JsonArray(new JsonObject { ["type"] = "BODY", ["add_security_recommendation"] = Options.AddSecurityRecommendation });
        if (Options.CodeExpirationMinutes is { } minutes)
        {
            components.Add(new JsonObject { ["type"] = "FOOTER", ["code_expiration_minutes"] = minutes });
        }

        components.Add(new JsonObject { ["type"] = "BUTTONS", ["buttons"] = new JsonArray(button) });
        var body = new JsonObject { ["name"] = name, ["language"] = language, ["category"] = "AUTHENTICATION", ["components"] = components };
        using HttpRequestMessage request = Graph($"{Options.WabaId}/message_templates", body);
        GatewayAnswer answer = await SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        Result<WhatsAppTemplate> result = Template(answer, name, language, otpType);
        if (result.IsSuccess)
        {
            Log.TemplateCreated(Logger, Name, name, language, otpType, result.Value.Id, result.Value.Status);
        }

        return result;
    }

    private static Result<WhatsAppTemplate> Template(GatewayAnswer answer, string name, string language, string otpType)
    {
        if (answer.Failure is { } failure)
        {
            return new TfaError(ErrorKind.Unavailable, $"Meta could not be asked: {failure}", RetryAfter: RetryLater);
        }

        using JsonDocument? document = WhatsAppErrors.Parse(answer.Body);
        JsonElement root = document?.RootElement ?? default;
        if (answer.IsSuccess && root.ValueKind == JsonValueKind.Object && Text(root, "id") is { } id)
        {
            return new WhatsAppTemplate(id, Text(root, "status") ?? "PENDING", Text(root, "category") ?? "AUTHENTICATION", name, language, otpType);
        }

        string error = WhatsAppErrors.ErrorOf(root) is { } meta ? meta.Text : $"Meta answered {answer.Code}: {GatewayOutcome.Snippet(answer.Body)}";
        return answer.Code is >= 400 and < 500 and not (408 or 429)
            ? new TfaError(ErrorKind.BadRequest, $"Meta refused the template: {error}")
            : new TfaError(ErrorKind.Unavailable, $"Meta could not create the template now: {error}", RetryAfter: RetryLater);
    }

    private HttpRequestMessage Graph(string resource, JsonObject body)
    {
        var uri = new Uri($"{Options.BaseUrl.AbsoluteUri.TrimEnd('/')}/{Options.ApiVersion}/{resource}");
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body.ToJsonString(Body), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private static JsonArray CodeParameter(string code) => new(new JsonObject { ["type"] = "text", ["text"] = code });

    private static bool SignatureMatches(string appSecret, byte[] body, string? signature)
    {
        if (signature is null || !signature.Trim().StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.Trim()[SignaturePrefix.Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body), given);
    }

    private static IEnumerable<JsonElement> Statuses(JsonElement entries) =>
        entries.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("changes", out JsonElement c) && c.ValueKind == JsonValueKind.Array)
            .SelectMany(e => e.GetProperty("changes").EnumerateArray())
            .Where(c => c.ValueKind == JsonValueKind.Object && Text(c, "field") is null or "messages"
                && c.TryGetProperty("value", out JsonElement v) && v.ValueKind == JsonValueKind.Object
                && v.TryGetProperty("statuses", out JsonElement s) && s.ValueKind == JsonValueKind.Array)
            .SelectMany(c => c.GetProperty("value").GetProperty("statuses").EnumerateArray())
            .Where(s => s.ValueKind == JsonValueKind.Object);

    private DeliveryReport? Report(JsonElement status)
    {
        if (Text(status, "id") is not { Length: > 0 } id || Text(status, "status") is not { Length: > 0 } state)
        {
            return null;
        }

        Log.Report(Logger, Type, Name, id, state);
        DateTimeOffset? at = long.TryParse(Text(status, "timestamp"), NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
        return state switch
        {
            "delivered" or "read" => new DeliveryReport(id, MessageState.Delivered, null, at),
            "failed" => new DeliveryReport(id, MessageState.Failed, FailureOf(status), at),
            _ => null,
        };
    }

    private static string FailureOf(JsonElement status) =>
        status.TryGetProperty("errors", out JsonElement errors) && errors.ValueKind == JsonValueKind.Array
        && errors.EnumerateArray().Select(WhatsAppError.Read).FirstOrDefault(e => e is not null) is { } error
            ? error.Text
            : "WhatsApp: failed";

    private static string? Text(JsonElement element, string name) => WhatsAppErrors.String(element, name);
}
