using System.Text;
using System.Text.RegularExpressions;

namespace OpenTfa.Testing.Server;

/// <summary>What the log channel delivered, line by line, also mirrored to a file for out-of-process readers.</summary>
public sealed partial class CapturedDeliveries(string mirrorPath) : TextWriter
{
    private readonly List<string> _lines = [];
    private readonly StringBuilder _current = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string MirrorPath => mirrorPath;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public override void Write(char value)
    {
        if (value == '\n')
        {
            string line = _current.ToString().TrimEnd('\r');
            _current.Clear();
            lock (_lines)
            {
                _lines.Add(line);
                File.AppendAllText(mirrorPath, line + "\n");
            }
        }
        else
        {
            _current.Append(value);
        }
    }

    [GeneratedRegex("text=\"(?:.*?)(?<pin>[0-9A-Z]{4,20})\"$")]
    private static partial Regex PinAtEnd();

    /// <summary>Waits for the n-th delivery line to <paramref name="to"/> (1-based) and returns it.</summary>
    public Task<string> WaitForLineAsync(string to, int nth = 1, TimeSpan? timeout = null) =>
        WaitForLineAsync(() => Lines, to, nth, timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>The PIN of the n-th message to <paramref name="to"/>, read from a template that ends with the PIN.</summary>
    public async Task<string> WaitForPinAsync(string to, int nth = 1) => PinOf(await WaitForLineAsync(to, nth));

    /// <summary>Waits until <paramref name="lines"/> (the log channel's output, wherever it is read from) hold an n-th
    /// delivery to <paramref name="to"/> (1-based) and returns it.</summary>
    public static async Task<string> WaitForLineAsync(Func<IReadOnlyList<string>> lines, string to, int nth, TimeSpan timeout)
    {
        string[] matching = await Poll.UntilAsync(
            () => Task.FromResult(lines().Where(l => l.Contains($" to={to} ", StringComparison.Ordinal)).ToArray()),
            found => found.Length >= nth,
            timeout,
            _ => $"No delivery #{nth} to {to}; delivered so far:\n{string.Join('\n', lines())}");
        return matching[nth - 1];
    }

    /// <summary>The PIN at the end of a delivery line's text.</summary>
    public static string PinOf(string line)
    {
        Match m = PinAtEnd().Match(line);
        return m.Success ? m.Groups["pin"].Value : throw new InvalidOperationException($"No PIN at the end of: {line}");
    }
}
