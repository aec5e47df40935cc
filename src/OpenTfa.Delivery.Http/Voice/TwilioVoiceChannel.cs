using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;
using OpenTfa.Delivery.Http.Sms;

namespace OpenTfa.Delivery.Http.Voice;

/// <summary>
/// Voice PINs through Twilio's Calls API: <c>POST /2010-04-01/Accounts/{AccountSid}/Calls.json</c>
/// with the call's TwiML inline (<c>Twiml</c>): the PIN said character by character in
/// <c>&lt;Say&gt;</c> (language, voice, SSML prosody rate), <c>&lt;Pause&gt;</c>, said again. With
/// <c>repeatDTMF</c> the readings sit in a <c>&lt;Gather&gt;</c> whose action answers the same
/// TwiML again when the callee presses the keys.
/// </summary>
public sealed class TwilioVoiceChannel : HttpGatewayChannel<TwilioVoiceChannelOptions>, ITwilioCallbackChannel
{
    public const string Type = "twilio-voice";

    private static readonly HashSet<string> BasicVoices = new(StringComparer.OrdinalIgnoreCase) { "man", "woman", "alice" };

    private readonly CallbackTokens? _tokens;

    public TwilioVoiceChannel(string name, TwilioVoiceChannelOptions options, TimeProvider time, ILogger<TwilioVoiceChannel> logger)
        : base(Type, "Twilio voice", ChannelKind.Voice, name, options, time, logger)
    {
        _tokens = options.CallbackBaseUrl is null ? null : new CallbackTokens(options.CallbackSecret ?? options.AuthToken, name);
    }

    protected override string? Refusal(OutgoingMessage message) =>
        Options.CallerId(message.From) is null ? $"the message's sender is not a phone number and the Twilio voice channel '{Name}' has no From" : null;

    protected override HttpRequestMessage CreateRequest(OutgoingMessage message)
    {
        var state = VoiceCallState.From(message, Time.GetUtcNow() + Options.ReplayWindow, Options.MaxReplays);
        var form = new List<KeyValuePair<string, string>>
        {
            new("To", SmsText.E164(message.To)),
            new("From", SmsText.E164(Options.CallerId(message.From)!)),
            new("Twiml", Twiml(state)),
        };
        if (Options.CallbackBaseUrl is not null)
        {
            form.Add(new("StatusCallback", CallbackPaths.Absolute(Options.CallbackBaseUrl, CallbackPaths.Twilio(Name))));
            form.Add(new("StatusCallbackMethod", "POST"));
        }

        return TwilioApi.Post(Options.BaseUrl, Options.AccountSid, Options.AuthToken, "Calls.json", form);
    }

    private protected override DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message) => TwilioApi.Result(answer, "Twilio");

    /// <summary>The call's TwiML document.</summary>
    internal string Twiml(VoiceCallState state)
    {
        string say = Say(state);
        var readings = new StringBuilder(say);
        for (int i = 1; i < Options.Repeat; i++)
        {
            if (Options.PauseSeconds > 0)
            {
                readings.Append(CultureInfo.InvariantCulture, $"<Pause length=\"{Options.PauseSeconds}\"/>");
            }

            readings.Append(say);
        }

        var twiml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
        if (RepeatKeys.Parse(state.RepeatDtmf) is { } keys && _tokens is not null && state.ReplaysLeft > 0)
        {
            string action = CallbackPaths.Absolute(Options.CallbackBaseUrl!, CallbackPaths.TwilioGather(Name)) + "?state=" + state.Seal(_tokens);
            twiml.Append(CultureInfo.InvariantCulture,
                $"<Gather input=\"dtmf\" numDigits=\"{keys.Digits.Length}\" finishOnKey=\"{keys.FinishKey}\" timeout=\"{Options.GatherTimeout}\" action=\"{SpokenPin.Xml(action)}\" method=\"POST\">");
            twiml.Append(readings).Append("</Gather>");
        }
        else
        {
            twiml.Append(readings);
        }

        return twiml.Append("</Response>").ToString();
    }

    private string Say(VoiceCallState state)
    {
        string language = SpokenPin.Locale(state.Language, Options.Languages, Options.Language);
        string? voice = Voice(state.VoiceName) ?? Options.Voice;
        string text = SpokenPin.Xml(SpokenPin.Spell(state.Text));
        if (SpokenPin.ProsodyRate(state.SpeechRate) is { } rate)
        {
            text = $"<prosody rate=\"{rate}\">{text}</prosody>";
        }

        string voiceAttribute = voice is null ? string.Empty : $" voice=\"{SpokenPin.Xml(voice)}\"";
        return $"<Say language=\"{SpokenPin.Xml(language)}\"{voiceAttribute}>{text}</Say>";
    }

    /// <summary>A 2FA voice name (<c>Joanna</c>) as Twilio names it (<c>Polly.Joanna</c>); Twilio's own names pass as they are.</summary>
    internal static string? Voice(string? voiceName)
    {
        if (string.IsNullOrWhiteSpace(voiceName))
        {
            return null;
        }

        string name = voiceName.Trim();
        return name.Contains('.', StringComparison.Ordinal) || BasicVoices.Contains(name) ? name : "Polly." + name;
    }

    public bool Authenticate(string pathAndQuery, IReadOnlyList<KeyValuePair<string, string>> form, string? signature) =>
        TwilioCallbacks.Authenticate(Options.CallbackBaseUrl, Options.AuthToken, pathAndQuery, form, signature);

    /// <summary>The call's final status: <c>completed</c> (answered) delivers; <c>busy</c>, <c>no-answer</c>, <c>failed</c>, <c>canceled</c> fail.</summary>
    public CallbackResult ReadStatus(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string? sid = TwilioCallbacks.Get(form, "CallSid");
        string? status = TwilioCallbacks.Get(form, "CallStatus");
        if (string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(status))
        {
            return new CallbackResult.Invalid("CallSid and CallStatus are required");
        }

        Log.Report(Logger, Type, Name, sid, status);
        return new CallbackResult.Report(status switch
        {
            "completed" => new DeliveryReport(sid, MessageState.Delivered, null),
            "busy" or "no-answer" or "failed" or "canceled" => new DeliveryReport(sid, MessageState.Failed, $"Twilio: call {status}"),
            _ => null,
        });
    }

    /// <summary>
    /// Answers the gather action: the same TwiML again (one replay fewer) when the callee pressed
    /// the repeat keys, otherwise a hang-up. The caller has checked the signature.
    /// </summary>
    public CallbackResult Replay(string? sealedState, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (_tokens is null || VoiceCallState.Open(_tokens, sealedState, Time.GetUtcNow()) is not { } state)
        {
            return new CallbackResult.Unauthenticated("the call's state is not one this channel sealed, or it has expired");
        }

        string digits = TwilioCallbacks.Get(form, "Digits") ?? string.Empty;
        if (RepeatKeys.Parse(state.RepeatDtmf) is { } keys && digits == keys.Digits && state.ReplaysLeft > 0)
        {
            VoiceCallState next = state with { ReplaysLeft = state.ReplaysLeft - 1 };
            Log.Replay(Logger, Type, Name, TwilioCallbacks.Get(form, "CallSid") ?? "?", next.ReplaysLeft);
            return new CallbackResult.Document("application/xml", Twiml(next));
        }

        return new CallbackResult.Document("application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>");
    }
}
