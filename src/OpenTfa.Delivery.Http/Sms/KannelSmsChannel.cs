using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Delivery.Http.Sms;

/// <summary>
/// SMS through Kannel's HTTP <c>sendsms</c> interface. Each message asks for delivery reports on
/// a callback URL that names the message and carries a token only this channel can issue, so
/// Kannel's report is matched to the message by its own id and nobody else can forge one.
/// </summary>
public sealed class KannelSmsChannel : HttpGatewayChannel<KannelChannelOptions>
{
    public const string Type = "kannel";

    private readonly CallbackTokens? _tokens;

    public KannelSmsChannel(string name, KannelChannelOptions options, TimeProvider time, ILogger<KannelSmsChannel> logger)
        : base(Type, "Kannel", ChannelKind.Sms, name, options, time, logger)
    {
        _tokens = options.CallbackBaseUrl is not null && options.CallbackSecret is not null ? new CallbackTokens(options.CallbackSecret, name) : null;
    }

    protected override HttpRequestMessage CreateRequest(OutgoingMessage message) => new(HttpMethod.Get, SendSmsUri(message));

    private protected override DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message) =>
        GatewayOutcome.Classify(answer, message.Id, a => $"Kannel answered {a.Code}: {GatewayOutcome.Snippet(a.Body)}");

    /// <summary>The sendsms request exactly as Kannel documents it (text as UTF-8, coding 0 for GSM 03.38, 2 for UCS-2).</summary>
    internal Uri SendSmsUri(OutgoingMessage message)
    {
        string text = message.Content.Text;
        string? from = string.IsNullOrWhiteSpace(message.From) ? Options.From : message.From;
        var query = new List<KeyValuePair<string, string>>
        {
            new("username", Options.Username),
            new("password", Options.Password),
        };
        if (!string.IsNullOrEmpty(from))
        {
            query.Add(new("from", from));
        }

        query.Add(new("to", message.To));
        query.Add(new("text", text));
        query.Add(new("coding", SmsText.IsGsm7(text) ? "0" : "2"));
        query.Add(new("charset", "UTF-8"));
        if (Options.SmscId is not null)
        {
            query.Add(new("smsc", Options.SmscId));
        }

        if (_tokens is not null && Options.DlrMask > 0)
        {
            query.Add(new("dlr-mask", Options.DlrMask.ToString(CultureInfo.InvariantCulture)));
            query.Add(new("dlr-url", DlrUrl(message.Id)));
        }

        string baseUrl = Options.BaseUrl.AbsoluteUri.TrimEnd('/');
        return new Uri(baseUrl + "/cgi-bin/sendsms?" + string.Join('&', query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))));
    }

    /// <summary>
    /// The report URL: Kannel fills <c>%d</c> with the report type and <c>%A</c> with the SMSC's
    /// answer; a literal percent sign would be read as an escape, so none is left in the rest.
    /// </summary>
    internal string DlrUrl(string messageId) =>
        CallbackPaths.Absolute(Options.CallbackBaseUrl!, CallbackPaths.Kannel(Name)).Replace("%", "%%", StringComparison.Ordinal)
        + $"?message={messageId}&token={_tokens!.Token(messageId)}&type=%d&reply=%A";

    /// <summary>Reads one of Kannel's delivery reports (the query of the dlr-url, or the same as a form).</summary>
    public CallbackResult ReadReport(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_tokens is null)
        {
            return new CallbackResult.Unauthenticated($"the Kannel channel '{Name}' asks for no delivery reports (no CallbackBaseUrl)");
        }

        parameters.TryGetValue("message", out string? messageId);
        parameters.TryGetValue("token", out string? token);
        if (string.IsNullOrEmpty(messageId) || !_tokens.Verify(messageId, token))
        {
            return new CallbackResult.Unauthenticated("the report's token does not match its message");
        }

        if (!parameters.TryGetValue("type", out string? typeText) || !int.TryParse(typeText, NumberStyles.None, CultureInfo.InvariantCulture, out int type))
        {
            return new CallbackResult.Invalid($"the report type '{typeText}' is not a number");
        }

        parameters.TryGetValue("reply", out string? reply);
        string detail = string.IsNullOrWhiteSpace(reply) ? string.Empty : $": {GatewayOutcome.Snippet(reply)}";
        DeliveryReport? report = type switch
        {
            1 => new DeliveryReport(messageId, MessageState.Delivered, null),
            2 => new DeliveryReport(messageId, MessageState.Failed, "delivery failed (Kannel report 2)" + detail),
            16 => new DeliveryReport(messageId, MessageState.Failed, "rejected by the SMSC (Kannel report 16)" + detail),
            // 4 (buffered) and 8 (submitted to the SMSC) are not final, and the message is already
            // recorded as submitted; recording them could overwrite a final state that Kannel's
            // concurrent callbacks delivered first.
            4 or 8 => null,
            _ => null,
        };
        Log.Report(Logger, Type, Name, messageId, type);
        return new CallbackResult.Report(report);
    }
}
