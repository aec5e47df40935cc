using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace OpenTfa.Server.Logging;

/// <summary>
/// The console layout of the default formatter (<c>info: Category[1]</c>, then the message
/// indented), with every control character, ANSI escape and line separator in a message
/// escaped: a value that came from a request (a path, a name) cannot start a forged log line
/// or recolour a terminal. Exception messages are escaped the same way; stack frames are
/// OpenTfa's own and kept as lines.
/// </summary>
internal sealed class SafeConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options, TimeProvider time) : ConsoleFormatter(Name)
{
    public new const string Name = "opentfa";

    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var line = new StringBuilder();
        if (options.CurrentValue.TimestampFormat is { } format)
        {
            DateTimeOffset now = options.CurrentValue.UseUtcTimestamp ? time.GetUtcNow() : time.GetLocalNow();
            line.Append(now.ToString(format, CultureInfo.InvariantCulture));
        }

        line.Append(LevelOf(logEntry.LogLevel)).Append(": ").Append(Escape(logEntry.Category))
            .Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append(']').Append(Environment.NewLine);
        if (!string.IsNullOrEmpty(message))
        {
            line.Append(Indent).Append(Escape(message)).Append(Environment.NewLine);
        }

        for (Exception? e = logEntry.Exception; e is not null; e = e.InnerException)
        {
            line.Append(Indent).Append(e.GetType().FullName).Append(": ").Append(Escape(e.Message)).Append(Environment.NewLine);
            foreach (string frame in (e.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                line.Append(Indent).Append(Escape(frame.TrimEnd('\r').Trim())).Append(Environment.NewLine);
            }
        }

        textWriter.Write(line.ToString());
    }

    /// <summary>
    /// Escapes C0 and C1 control characters (newlines and ESC among them), DEL, the Unicode
    /// line and paragraph separators and the bidirectional overrides; everything else is kept.
    /// </summary>
    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            _ = c switch
            {
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                '\t' => escaped.Append("\\t"),
                _ when NeedsEscape(c) => escaped.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string LevelOf(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
