using System.Globalization;

namespace OpenTfa.Cli.Output;

/// <summary>Plain column-aligned text for people: a header row and rows, or name/value pairs.</summary>
internal static class Table
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows, string empty)
    {
        List<string[]> all = rows.Select(r => r.Select(c => c ?? "-").ToArray()).ToList();
        if (all.Count == 0)
        {
            output.WriteLine(empty);
            return;
        }

        int[] widths = headers.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths));
        foreach (string[] row in all)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    /// <summary>One object as "name  value" lines; null values are left out.</summary>
    public static void Pairs(TextWriter output, params (string Name, string? Value)[] pairs)
    {
        var shown = pairs.Where(p => p.Value is not null).ToArray();
        int width = shown.Length == 0 ? 0 : shown.Max(p => p.Name.Length);
        foreach ((string name, string? value) in shown)
        {
            output.WriteLine($"{name.PadRight(width)}  {value}");
        }
    }

    public static string? Time(long? unixMilliseconds) =>
        unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;

    public static string Bool(bool value) => value ? "yes" : "no";

    public static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static string? Number(double? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
