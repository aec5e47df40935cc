using System.Text.Json;
using System.Text.Json.Serialization;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Delivery.Http.Voice;

/// <summary>
/// What a call needs to say the PIN again when the callee presses the repeat keys. It travels,
/// sealed, in the callback URL the provider calls back, so that any node can answer and no
/// PIN is kept in the store after the call was placed.
/// </summary>
internal sealed record VoiceCallState(
    [property: JsonPropertyName("m")] string MessageId,
    [property: JsonPropertyName("t")] string Text,
    [property: JsonPropertyName("l")] string? Language,
    [property: JsonPropertyName("v")] string? VoiceName,
    [property: JsonPropertyName("r")] double? SpeechRate,
    [property: JsonPropertyName("d")] string? RepeatDtmf,
    [property: JsonPropertyName("x")] long ExpiresAt,
    [property: JsonPropertyName("n")] int ReplaysLeft)
{
    public static VoiceCallState From(OutgoingMessage message, DateTimeOffset expiresAt, int replays) =>
        new(message.Id, message.Content.Text, message.Content.Language, message.Content.VoiceName, message.Content.SpeechRate, message.Content.RepeatDtmf,
            expiresAt.ToUnixTimeSeconds(), replays);

    public string Seal(CallbackTokens tokens) => tokens.Seal(JsonSerializer.SerializeToUtf8Bytes(this, VoiceJsonContext.Default.VoiceCallState));

    /// <summary>The state, if it was sealed by this channel and has not expired.</summary>
    public static VoiceCallState? Open(CallbackTokens tokens, string? sealedState, DateTimeOffset now)
    {
        if (tokens.Open(sealedState) is not { } plain)
        {
            return null;
        }

        try
        {
            VoiceCallState? state = JsonSerializer.Deserialize(plain, VoiceJsonContext.Default.VoiceCallState);
            return state is not null && state.ExpiresAt >= now.ToUnixTimeSeconds() ? state : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSerializable(typeof(VoiceCallState))]
internal sealed partial class VoiceJsonContext : JsonSerializerContext;
