using OpenTfa.Core.Security;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Http.Sms;

/// <summary>
/// SMS handed to the operator's own gateway: a POST of
/// <c>{"messageId","pinId","to","from","text","kind":"sms"}</c>, signed with
/// <c>OpenTfa-Signature</c>. 2xx accepts the message; 408, 429, 5xx, a redirect (never
/// followed) or no answer in time is a temporary failure; any other 4xx refuses it.
/// </summary>
public sealed class WebhookSmsChannel : HttpGatewayChannel<WebhookChannelOptions>
{
    public const string Type = "webhook";

    public WebhookSmsChannel(string name, WebhookChannelOptions options, TimeProvider time, ILogger<WebhookSmsChannel> logger)
        : base(Type, "webhook", ChannelKind.Sms, name, options, time, logger)
    {
    }

    protected override HttpRequestMessage CreateRequest(OutgoingMessage message)
    {
        byte[] body = Body(message);
        var request = new HttpRequestMessage(HttpMethod.Post, Options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach ((string header, string value) in Options.Headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        request.Headers.TryAddWithoutValidation(OpenTfaSignature.Header, OpenTfaSignature.Create(Options.Secret, Time.GetUtcNow(), body));
        return request;
    }

    internal static byte[] Body(OutgoingMessage message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("messageId", message.Id);
            json.WriteString("pinId", message.PinId);
            json.WriteString("to", message.To);
            if (string.IsNullOrEmpty(message.From))
            {
                json.WriteNull("from");
            }
            else
            {
                json.WriteString("from", message.From);
            }

            json.WriteString("text", message.Content.Text);
            json.WriteString("kind", "sms");
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private protected override DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message)
    {
        if (answer.Failure is { } failure)
        {
            return DeliveryResult.Temporary(failure);
        }

        if (answer.IsSuccess)
        {
            return DeliveryResult.Accepted(message.Id);
        }

        string error = answer.Code is >= 300 and < 400
            ? $"the gateway answered {answer.Code} (a redirect, which is not followed)"
            : $"the gateway answered {answer.Code}: {GatewayOutcome.Snippet(answer.Body)}";
        return answer.Code is >= 400 and < 500 and not (408 or 429) ? DeliveryResult.Permanent(error) : DeliveryResult.Temporary(error);
    }
}
