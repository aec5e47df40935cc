using OpenTfa.Core.Security;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Numbers;

namespace OpenTfa.Delivery.Http.Sms;

/// <summary>
/// SMS handed to the operator's own gateway: a POST of
/// <c>{"messageId","pinId","to","from","text","kind":"sms"}</c>, signed with
/// <c>OpenTfa-Signature</c>. 2xx accepts the message; 408, 429, 5xx, a redirect (never
/// followed) or no answer in time is a temporary failure; any other 4xx refuses it.
/// </summary>
public sealed class WebhookSmsChannel : IMessageChannel, IDisposable
{
    public const string Type = "webhook";

    private readonly WebhookChannelOptions options;
    private readonly GatewayHttp http;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    public WebhookSmsChannel(string name, WebhookChannelOptions options, TimeProvider time, ILogger<WebhookSmsChannel> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        this.options = options;
        this.time = time;
        this.logger = logger;
        http = new GatewayHttp(options);
    }

    public string Name { get; }

    public bool Supports(ChannelKind kind) => kind == ChannelKind.Sms;

    public async Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind != ChannelKind.Sms)
        {
            return DeliveryResult.Permanent($"the webhook channel '{Name}' carries SMS only, not {message.Kind}");
        }

        byte[] body = Body(message);
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach ((string header, string value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        request.Headers.TryAddWithoutValidation(OpenTfaSignature.Header, OpenTfaSignature.Create(options.Secret, time.GetUtcNow(), body));
        GatewayAnswer answer = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        DeliveryResult result = Classify(answer, message.Id);
        Log.Sent(logger, Type, Name, Destinations.Mask(message.To), result.Outcome, result.Error);
        return result;
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

    private static DeliveryResult Classify(GatewayAnswer answer, string messageId)
    {
        if (answer.Failure is { } failure)
        {
            return DeliveryResult.Temporary(failure);
        }

        if (answer.IsSuccess)
        {
            return DeliveryResult.Accepted(messageId);
        }

        string error = answer.Code is >= 300 and < 400
            ? $"the gateway answered {answer.Code} (a redirect, which is not followed)"
            : $"the gateway answered {answer.Code}: {GatewayOutcome.Snippet(answer.Body)}";
        return answer.Code is >= 400 and < 500 and not (408 or 429) ? DeliveryResult.Permanent(error) : DeliveryResult.Temporary(error);
    }

    public void Dispose() => http.Dispose();
}
