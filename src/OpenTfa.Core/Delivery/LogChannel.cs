using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// The development channel: "delivers" a message by writing one line to standard output,
/// straight to the console rather than through the logger so that log settings never hide
/// it. Like an SMS, the line shows the full destination and text.
/// </summary>
public sealed class LogChannel(string name, TextWriter output) : IMessageChannel
{
    public const string Type = "log";

    private static readonly JsonSerializerOptions Escaping = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => name;

    public bool Supports(ChannelKind kind) => true;

    public Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var line = new StringBuilder("[opentfa:log] ")
            .Append(ChannelKinds.Name(message.Kind))
            .Append(" to=").Append(Token(message.To))
            .Append(" from=").Append(Token(message.From ?? string.Empty));
        if (message.Content.Subject is { } subject)
        {
            line.Append(" subject=").Append(Quote(subject));
        }

        line.Append(" text=").Append(Quote(message.Content.Text));
        lock (output)
        {
            output.WriteLine(line.ToString());
            output.Flush();
        }

        return Task.FromResult(DeliveryResult.Accepted());
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, Escaping);

    private static string Token(string value) => value.Length > 0 && value.All(c => c > ' ' && c != '"') ? value : Quote(value);
}

/// <summary>Accepts every message and records it as delivered without sending anything (for benchmarks; never a default).</summary>
public sealed class DiscardChannel(string name) : IMessageChannel
{
    public const string Type = "discard";

    public string Name => name;

    public bool Supports(ChannelKind kind) => true;

    public Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryResult.Accepted());
}

/// <summary>Where log channels write; standard output unless the host registers another writer.</summary>
public sealed record LogChannelOutput(TextWriter Writer);
