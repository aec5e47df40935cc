using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenTfa.Testing;

/// <summary>A Prometheus text exposition, parsed into samples.</summary>
public sealed partial class Scrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public Scrape(string text)
    {
        Text = text;
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            Match m = Sample().Match(line);
            if (!m.Success)
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match l in Label().Matches(m.Groups["labels"].Value))
            {
                labels[l.Groups["k"].Value] = l.Groups["v"].Value;
            }

            string raw = m.Groups["value"].Value;
            double value = raw switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(raw, CultureInfo.InvariantCulture),
            };
            _samples.Add((m.Groups["name"].Value, labels, value));
        }
    }

    public string Text { get; }

    public IEnumerable<string> Names => _samples.Select(s => s.Name).Distinct(StringComparer.Ordinal);

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every given pair.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out string? v) && v == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    public IEnumerable<IReadOnlyDictionary<string, string>> LabelSets(string prefix) =>
        _samples.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(s => (IReadOnlyDictionary<string, string>)s.Labels);

    /// <summary>
    /// Waits until a server's outbox and webhook queue are empty, read from its Prometheus metrics
    /// (for a server in another process; an in-process one is asked directly). The server reuses a
    /// queue sample for up to a second after a scrape, so a caller that scraped just before should
    /// not rely on the first empty reading.
    /// </summary>
    public static Task QueuesDrainedAsync(HttpClient client, TimeSpan? timeout = null) =>
        Poll.UntilAsync(
            async () => new Scrape(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))),
            s => s.Sum("opentfa_outbox_depth") == 0 && s.Sum("opentfa_webhooks_queue_depth") == 0,
            timeout ?? TimeSpan.FromSeconds(30),
            s => $"the queues drained; {s.Sum("opentfa_outbox_depth")} message(s) and {s.Sum("opentfa_webhooks_queue_depth")} webhook delivery(ies) still wait");

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex Sample();

    [GeneratedRegex(""""(?<k>[a-zA-Z_][a-zA-Z0-9_]*)="(?<v>(?:[^"\\]|\\.)*)"""")]
    private static partial Regex Label();
}
