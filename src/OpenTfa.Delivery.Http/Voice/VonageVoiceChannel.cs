using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;
using OpenTfa.Delivery.Http.Sms;

namespace OpenTfa.Delivery.Http.Voice;

/// <summary>
/// Voice PINs through Vonage's Voice API: <c>POST /v1/calls</c> with a JWT (RS256, signed with
/// the application's private key) and the call's NCCO inline: a <c>talk</c> action saying the
/// PIN character by character (language, style, premium, SSML prosody rate, <c>loop</c> for the
/// repetitions) and, with <c>repeatDTMF</c>, an <c>input</c> action whose event URL answers the
/// same NCCO again when the callee presses the keys.
/// </summary>
public sealed class VonageVoiceChannel : HttpGatewayChannel<VonageVoiceChannelOptions>
{
    public const string Type = "vonage-voice";

    private readonly RSA _key;
    private readonly CallbackTokens? _tokens;

    public VonageVoiceChannel(string name, VonageVoiceChannelOptions options, TimeProvider time, ILogger<VonageVoiceChannel> logger)
        : base(Type, "Vonage voice", ChannelKind.Voice, name, options, time, logger)
    {
        _key = RSA.Create();
        _key.ImportFromPem(options.PrivateKey);
        _tokens = options.CallbackBaseUrl is null ? null : new CallbackTokens(options.CallbackSecret ?? options.PrivateKey, name);
    }

    protected override HttpRequestMessage CreateRequest(OutgoingMessage message)
    {
        var state = VoiceCallState.From(message, Time.GetUtcNow() + Options.ReplayWindow, Options.MaxReplays);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/v1/calls"))
        {
            Content = new ByteArrayContent(CallBody(message.To, Options.CallerId(message.From), state)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Jwt());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>Accepted with the call's <c>uuid</c>; an error names Vonage's title and detail.</summary>
    private protected override DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message)
    {
        if (answer.IsSuccess)
        {
            string? uuid = TwilioApi.Field(answer.Body, "uuid");
            return uuid is null
                ? DeliveryResult.Temporary($"Vonage answered {answer.Code} without a uuid: {GatewayOutcome.Snippet(answer.Body)}")
                : DeliveryResult.Accepted(uuid);
        }

        return GatewayOutcome.Classify(answer, string.Empty, a =>
        {
            string? title = TwilioApi.Field(a.Body, "title");
            string? detail = TwilioApi.Field(a.Body, "detail");
            return title is null && detail is null
                ? $"Vonage answered {a.Code}: {GatewayOutcome.Snippet(a.Body)}"
                : $"Vonage answered {a.Code}: {title}: {detail}";
        });
    }

    /// <summary>The create-call request: <c>to</c> and <c>from</c> phone endpoints (or a random number of the application) and the NCCO.</summary>
    internal byte[] CallBody(string to, string? from, VoiceCallState state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("to");
            json.WriteStartObject();
            json.WriteString("type", "phone");
            json.WriteString("number", Digits(to));
            json.WriteEndObject();
            json.WriteEndArray();
            if (from is not null)
            {
                json.WriteStartObject("from");
                json.WriteString("type", "phone");
                json.WriteString("number", Digits(from));
                json.WriteEndObject();
            }
            else
            {
                json.WriteBoolean("random_from_number", true);
            }

            json.WritePropertyName("ncco");
            WriteNcco(json, state);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    internal string Ncco(VoiceCallState state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteNcco(json, state);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void WriteNcco(Utf8JsonWriter json, VoiceCallState state)
    {
        RepeatKeys? keys = RepeatKeys.Parse(state.RepeatDtmf);
        bool gather = keys is not null && _tokens is not null && state.ReplaysLeft > 0;
        string spoken = SpokenPin.Spell(state.Text);
        string? rate = SpokenPin.ProsodyRate(state.SpeechRate);

        json.WriteStartArray();
        json.WriteStartObject();
        json.WriteString("action", "talk");
        json.WriteString("text", rate is null ? spoken : $"<speak><prosody rate=\"{rate}\">{SpokenPin.Xml(spoken)}</prosody></speak>");
        json.WriteString("language", SpokenPin.Locale(state.Language, Options.Languages, Options.Language));
        if (Style(state.VoiceName) is { } style)
        {
            json.WriteNumber("style", style);
        }

        if (Options.Premium)
        {
            json.WriteBoolean("premium", true);
        }

        json.WriteNumber("loop", Options.Repeat);
        if (gather)
        {
            json.WriteBoolean("bargeIn", true);
        }

        json.WriteEndObject();
        if (gather)
        {
            json.WriteStartObject();
            json.WriteString("action", "input");
            json.WriteStartArray("type");
            json.WriteStringValue("dtmf");
            json.WriteEndArray();
            json.WriteStartObject("dtmf");
            json.WriteNumber("maxDigits", keys!.Digits.Length);
            json.WriteBoolean("submitOnHash", keys.FinishKey == '#');
            json.WriteNumber("timeOut", Options.GatherTimeout);
            json.WriteEndObject();
            json.WriteStartArray("eventUrl");
            json.WriteStringValue(CallbackPaths.Absolute(Options.CallbackBaseUrl!, CallbackPaths.VonageInput(Name)) + "?state=" + state.Seal(_tokens!));
            json.WriteEndArray();
            json.WriteString("eventMethod", "POST");
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>A voiceName that is a number picks the style; any other name keeps the channel's Style.</summary>
    private int? Style(string? voiceName) =>
        int.TryParse(voiceName, NumberStyles.None, CultureInfo.InvariantCulture, out int style) ? style : Options.Style;

    /// <summary>Vonage numbers are digits only, country code first.</summary>
    private static string Digits(string number) => number.TrimStart('+');

    /// <summary>The application's JWT: RS256 with <c>application_id</c>, <c>iat</c>, <c>jti</c> and a 15-minute <c>exp</c>.</summary>
    internal string Jwt()
    {
        long now = Time.GetUtcNow().ToUnixTimeSeconds();
        string header = CallbackTokens.Base64UrlEncode("""{"alg":"RS256","typ":"JWT"}"""u8);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("application_id", Options.ApplicationId);
            json.WriteNumber("iat", now);
            json.WriteNumber("exp", now + 900);
            json.WriteString("jti", Guid.NewGuid().ToString());
            json.WriteEndObject();
        }

        string payload = CallbackTokens.Base64UrlEncode(buffer.ToArray());
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + CallbackTokens.Base64UrlEncode(signature);
    }

    /// <summary>
    /// Answers the input action's event (<c>{"dtmf":{"digits":"1",…},…}</c>): the NCCO again
    /// (one replay fewer) when the callee pressed the repeat keys; nothing otherwise, which ends the call.
    /// </summary>
    public CallbackResult Replay(string? sealedState, ReadOnlySpan<byte> eventBody)
    {
        if (_tokens is null || VoiceCallState.Open(_tokens, sealedState, Time.GetUtcNow()) is not { } state)
        {
            return new CallbackResult.Unauthenticated("the call's state is not one this channel sealed, or it has expired");
        }

        string? digits = null;
        string? uuid = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(eventBody.ToArray());
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("dtmf", out JsonElement dtmf) && dtmf.ValueKind == JsonValueKind.Object && dtmf.TryGetProperty("digits", out JsonElement d) && d.ValueKind == JsonValueKind.String)
                {
                    digits = d.GetString();
                }

                if (root.TryGetProperty("uuid", out JsonElement u) && u.ValueKind == JsonValueKind.String)
                {
                    uuid = u.GetString();
                }
            }
        }
        catch (JsonException)
        {
            return new CallbackResult.Invalid("the event is not JSON");
        }

        if (RepeatKeys.Parse(state.RepeatDtmf) is { } keys && digits == keys.Digits && state.ReplaysLeft > 0)
        {
            VoiceCallState next = state with { ReplaysLeft = state.ReplaysLeft - 1 };
            Log.Replay(Logger, Type, Name, uuid ?? "?", next.ReplaysLeft);
            return new CallbackResult.Document("application/json", Ncco(next));
        }

        return new CallbackResult.Report(null);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
        }

        base.Dispose(disposing);
    }
}
