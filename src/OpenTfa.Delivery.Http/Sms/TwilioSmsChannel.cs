using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Delivery.Http.Sms;

/// <summary>
/// SMS through Twilio's Messages API: <c>POST /2010-04-01/Accounts/{AccountSid}/Messages.json</c>,
/// form-encoded <c>To</c>, <c>From</c> (or <c>MessagingServiceSid</c>), <c>Body</c> and
/// <c>StatusCallback</c>, HTTP Basic with the Account SID and Auth Token. The message's SID
/// matches Twilio's status callbacks to it.
/// </summary>
public sealed class TwilioSmsChannel : HttpGatewayChannel<TwilioSmsChannelOptions>, ITwilioCallbackChannel
{
    public const string Type = "twilio-sms";

    public TwilioSmsChannel(string name, TwilioSmsChannelOptions options, TimeProvider time, ILogger<TwilioSmsChannel> logger)
        : base(Type, "Twilio SMS", ChannelKind.Sms, name, options, time, logger)
    {
    }

    protected override string? Refusal(OutgoingMessage message) =>
        Sender(message) is null && Options.MessagingServiceSid is null
            ? $"the message has no sender and the Twilio SMS channel '{Name}' has neither From nor MessagingServiceSid"
            : null;

    protected override HttpRequestMessage CreateRequest(OutgoingMessage message)
    {
        var form = new List<KeyValuePair<string, string>> { new("To", SmsText.E164(message.To)) };
        form.Add(Sender(message) is { } from ? new("From", from) : new("MessagingServiceSid", Options.MessagingServiceSid!));
        form.Add(new("Body", message.Content.Text));
        if (Options.CallbackBaseUrl is not null)
        {
            form.Add(new("StatusCallback", CallbackPaths.Absolute(Options.CallbackBaseUrl, CallbackPaths.Twilio(Name))));
        }

        return TwilioApi.Post(Options.BaseUrl, Options.AccountSid, Options.AuthToken, "Messages.json", form);
    }

    private protected override DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message) => TwilioApi.Result(answer, "Twilio");

    private string? Sender(OutgoingMessage message) => string.IsNullOrWhiteSpace(message.From) ? Options.From : message.From;

    public bool Authenticate(string pathAndQuery, IReadOnlyList<KeyValuePair<string, string>> form, string? signature) =>
        TwilioCallbacks.Authenticate(Options.CallbackBaseUrl, Options.AuthToken, pathAndQuery, form, signature);

    /// <summary><c>delivered</c> (and <c>read</c>) deliver the message; <c>undelivered</c>, <c>failed</c> and <c>canceled</c> fail it; the rest are on the way.</summary>
    public CallbackResult ReadStatus(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string? sid = TwilioCallbacks.Get(form, "MessageSid") ?? TwilioCallbacks.Get(form, "SmsSid");
        string? status = TwilioCallbacks.Get(form, "MessageStatus") ?? TwilioCallbacks.Get(form, "SmsStatus");
        if (string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(status))
        {
            return new CallbackResult.Invalid("MessageSid and MessageStatus are required");
        }

        string? code = TwilioCallbacks.Get(form, "ErrorCode");
        string error = string.IsNullOrEmpty(code) ? $"Twilio: {status}" : $"Twilio: {status} (error {code})";
        Log.Report(Logger, Type, Name, sid, status);
        return new CallbackResult.Report(status switch
        {
            "delivered" or "read" => new DeliveryReport(sid, MessageState.Delivered, null),
            "undelivered" or "failed" or "canceled" => new DeliveryReport(sid, MessageState.Failed, error),
            _ => null,
        });
    }
}

/// <summary>Requests and answers of Twilio's 2010-04-01 REST API.</summary>
internal static class TwilioApi
{
    public static HttpRequestMessage Post(Uri baseUrl, string accountSid, string authToken, string resource, IEnumerable<KeyValuePair<string, string>> form)
    {
        var uri = new Uri($"{baseUrl.AbsoluteUri.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(accountSid)}/{resource}");
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accountSid}:{authToken}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>Accepted with the resource's <c>sid</c>; an error names Twilio's code and message.</summary>
    public static DeliveryResult Result(GatewayAnswer answer, string provider)
    {
        if (answer.IsSuccess)
        {
            string? sid = Field(answer.Body, "sid");
            return sid is null
                ? DeliveryResult.Temporary($"{provider} answered {answer.Code} without a sid: {GatewayOutcome.Snippet(answer.Body)}")
                : DeliveryResult.Accepted(sid);
        }

        return GatewayOutcome.Classify(answer, string.Empty, a =>
        {
            string? code = Field(a.Body, "code");
            string? text = Field(a.Body, "message");
            return text is null
                ? $"{provider} answered {a.Code}: {GatewayOutcome.Snippet(a.Body)}"
                : $"{provider} answered {a.Code}: error {code}: {text}";
        });
    }

    internal static string? Field(string json, string name)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out JsonElement value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
