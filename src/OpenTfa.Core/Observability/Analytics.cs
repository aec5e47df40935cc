using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Observability;

/// <summary>
/// Figures for a set of PINs. <see cref="Sent"/> counts PINs whose message went out
/// (<c>MESSAGE_SENT</c>); <see cref="Verified"/> those of them verified at any time since;
/// <see cref="Delivered"/> those with a message a channel reported delivered; <see cref="Failed"/>
/// those with no delivered message and at least one failed. Rates are null when nothing was sent;
/// medians are over the PINs that reached the step, null when none did (the mean of the two
/// middle values for an even count).
/// </summary>
public sealed record AnalyticsFigures(
    int Sent,
    int NotSent,
    int Verified,
    double? Conversion,
    int Delivered,
    int Failed,
    double? DeliveryRate,
    double? MedianDeliverySeconds,
    double? MedianVerificationSeconds);

public sealed record AnalyticsGroup(string Key, AnalyticsFigures Figures);

/// <param name="Truncated">True when the window held more PINs than one report reads (<see cref="AnalyticsService.MaxPins"/>): the figures cover the oldest ones only.</param>
public sealed record AnalyticsReport(
    DateTimeOffset From,
    DateTimeOffset To,
    AnalyticsFigures Totals,
    IReadOnlyList<AnalyticsGroup> ByApplication,
    IReadOnlyList<AnalyticsGroup> ByChannel,
    IReadOnlyList<AnalyticsGroup> ByCountry,
    bool Truncated,
    IReadOnlyList<AnalyticsGroup>? ByStep = null);

public sealed record HistoryEntry(PinHistoryEntry Pin, string Status, IReadOnlyList<MessageStatus> Messages);

/// <summary>One PIN's story for support: the PIN, its messages and every verify, in order (destinations unmasked).</summary>
public sealed record PinStory(PinHistoryEntry Pin, string ApplicationId, string TemplateId, string Status, IReadOnlyList<MessageStatus> Messages, IReadOnlyList<VerifyAttempt> Verifications,
    Workflows.PinWorkflow? Workflow = null);

/// <summary>A window of figures cut into equal steps: the last hour by minute, the last day by hour, the last 30 days by UTC day.</summary>
public sealed record TimelineRange(string Name, TimeSpan Step, int Steps)
{
    public static readonly IReadOnlyList<TimelineRange> All =
    [
        new("hour", TimeSpan.FromMinutes(1), 60),
        new("day", TimeSpan.FromHours(1), 24),
        new("month", TimeSpan.FromDays(1), 30),
    ];

    public static TimelineRange? Named(string? name) => All.FirstOrDefault(r => r.Name == (name ?? "day"));
}

public sealed record TimelineChannel(string Key, int Sent, int Verified, int Delivered);

/// <param name="Blocked">Protection rule events (refusals and guard blocks, in either mode) in the step.</param>
public sealed record TimelineBucket(DateTimeOffset Start, AnalyticsFigures Figures, int Blocked, IReadOnlyList<TimelineChannel> ByChannel);

/// <param name="Protection">The window's protection rule events, newest first, at most <see cref="AnalyticsService.MaxTimelineEvents"/>.</param>
public sealed record AnalyticsTimeline(TimelineRange Range, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TimelineBucket> Buckets, IReadOnlyList<RuleEvent> Protection, bool Truncated);

/// <summary>Conversion and delivery figures over a window, and a destination's history for support staff.</summary>
public sealed class AnalyticsService(IAnalyticsStore store, IApplicationStore applications, IPinStore pins, IOutboxStore outbox, IProtectionStore protection, AuditLog audit, TimeProvider time)
{
    public const int MaxPins = 500_000;
    public const int MaxTimelineEvents = 200;
    private const int MaxEventsPerApplication = 10_000;
    public const int MaxHistory = 100;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(92);

    /// <summary>The figures of the PINs created in [from, to) (default: the last 24 hours), optionally of one application.</summary>
    public async Task<Result<AnalyticsReport>> ReportAsync(string tenantId, string? applicationId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        DateTimeOffset end = to ?? time.GetUtcNow();
        DateTimeOffset start = from ?? end - DefaultWindow;
        if (start >= end)
        {
            return TfaError.Field("from", "must be before to");
        }

        if (end - start > MaxWindow)
        {
            return TfaError.Field("from", $"the window must be at most {MaxWindow.TotalDays:0} days");
        }

        if (!string.IsNullOrEmpty(applicationId) && await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        (IReadOnlyList<PinFacts> pins, bool truncated) = await ReadPinsAsync(tenantId, applicationId, start, end, cancellationToken);
        return new AnalyticsReport(start, end, Figures(pins),
            Groups(pins, p => p.ApplicationId),
            Groups(pins, p => ChannelKinds.Name(p.Kind)),
            Groups(pins, p => OpenTfaMetrics.CountryOf(p.Kind, p.Destination)),
            truncated,
            Groups(pins.SelectMany(AsSteps).ToList(), p => p.PinId));
    }

    /// <summary>
    /// Figures per step over <paramref name="rangeName"/> (<c>hour</c>, <c>day</c> — the default — or
    /// <c>month</c>), the last step being the one now falls in, with the protection rule events of the window.
    /// </summary>
    public async Task<Result<AnalyticsTimeline>> TimelineAsync(string tenantId, string? applicationId, string? rangeName, CancellationToken cancellationToken)
    {
        if (TimelineRange.Named(rangeName) is not { } range)
        {
            return TfaError.Field("range", $"must be one of {string.Join(", ", TimelineRange.All.Select(r => r.Name))}, was '{rangeName}'");
        }

        IReadOnlyList<string> apps;
        if (!string.IsNullOrEmpty(applicationId))
        {
            if (await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
            {
                return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
            }

            apps = [applicationId];
        }
        else
        {
            apps = (await applications.ListApplicationsAsync(tenantId, cancellationToken)).Select(a => a.Id).ToList();
        }

        long step = (long)range.Step.TotalMilliseconds;
        DateTimeOffset end = DateTimeOffset.FromUnixTimeMilliseconds((time.GetUtcNow().ToUnixTimeMilliseconds() / step + 1) * step);
        DateTimeOffset start = end - (range.Step * range.Steps);
        (IReadOnlyList<PinFacts> pins, bool truncated) = await ReadPinsAsync(tenantId, applicationId, start, end, cancellationToken);
        var events = new List<RuleEvent>();
        foreach (string app in apps)
        {
            events.AddRange((await protection.ListRuleEventsAsync(tenantId, app, start, MaxEventsPerApplication, cancellationToken)).Where(e => e.At < end));
        }

        int BucketOf(DateTimeOffset at) => (int)((at - start).Ticks / range.Step.Ticks);
        ILookup<int, PinFacts> pinsByBucket = pins.ToLookup(p => BucketOf(p.CreatedAt));
        ILookup<int, RuleEvent> eventsByBucket = events.ToLookup(e => BucketOf(e.At));
        var buckets = new List<TimelineBucket>(range.Steps);
        for (int i = 0; i < range.Steps; i++)
        {
            List<PinFacts> inStep = pinsByBucket[i].ToList();
            buckets.Add(new TimelineBucket(start + (range.Step * i), Figures(inStep), eventsByBucket[i].Count(),
                inStep.GroupBy(p => ChannelKinds.Name(p.Kind), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => { AnalyticsFigures f = Figures(g.ToList()); return new TimelineChannel(g.Key, f.Sent, f.Verified, f.Delivered); })
                    .ToList()));
        }

        return new AnalyticsTimeline(range, start, end, buckets, events.OrderByDescending(e => e.At).Take(MaxTimelineEvents).ToList(), truncated);
    }

    /// <summary>
    /// One PIN with its messages and every verify, for support staff. Destinations are answered as
    /// stored, for the caller to mask: showing them (<paramref name="unmasked"/>) needs the
    /// <c>opentfa:pii</c> scope and is audited here.
    /// </summary>
    public async Task<Result<PinStory>> PinAsync(Caller caller, string pinId, bool unmasked, CancellationToken cancellationToken)
    {
        if (await store.GetPinStoryAsync(caller.TenantId, pinId, cancellationToken) is not { } facts)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

        if (PiiDisclosure.Refusal(caller, unmasked) is { } refused)
        {
            return refused;
        }

        IReadOnlyList<MessageStatus> messages = await outbox.ListMessagesAsync(caller.TenantId, pinId, cancellationToken);
        if (unmasked)
        {
            await audit.RecordUnmaskedAsync(caller, "destination", Destinations.Mask(facts.Pin.Destination), $"PIN {pinId}", cancellationToken);
        }

        Workflows.PinWorkflow? workflow = (await pins.GetPinAsync(caller.TenantId, pinId, cancellationToken))?.Workflow;
        return new PinStory(facts.Pin, facts.ApplicationId, facts.TemplateId, StatusOf(facts.Pin, time.GetUtcNow()), messages, VerifyLog.Parse(facts.VerifyLog), workflow);
    }

    private async Task<(IReadOnlyList<PinFacts> Pins, bool Truncated)> ReadPinsAsync(string tenantId, string? applicationId, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        IReadOnlyList<PinFacts> pins = await store.ListPinFactsAsync(new PinFactsQuery(tenantId, string.IsNullOrEmpty(applicationId) ? null : applicationId, start, end, MaxPins + 1), cancellationToken);
        return pins.Count > MaxPins ? (pins.Take(MaxPins).ToList(), true) : (pins, false);
    }

    /// <summary>
    /// The PINs sent to one destination by one application, newest first, with their messages.
    /// Destinations are masked unless <paramref name="unmasked"/>, which needs the
    /// <c>opentfa:pii</c> scope and is audited.
    /// </summary>
    public async Task<Result<IReadOnlyList<HistoryEntry>>> HistoryAsync(Caller caller, string applicationId, string destination, bool unmasked, int? limit, CancellationToken cancellationToken)
    {
        if (await applications.GetApplicationAsync(caller.TenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        string? canonical = destination.Contains('@', StringComparison.Ordinal) ? Destinations.CanonicalEmail(destination) : Destinations.CanonicalPhone(destination);
        if (canonical is null)
        {
            return TfaError.Field("destination", "must be a phone number in international format or an e-mail address");
        }

        if (limit is < 1 or > MaxHistory)
        {
            return TfaError.Field("limit", $"must be between 1 and {MaxHistory}");
        }

        if (PiiDisclosure.Refusal(caller, unmasked) is { } refused)
        {
            return refused;
        }

        IReadOnlyList<PinHistoryEntry> pins = await store.ListDestinationHistoryAsync(caller.TenantId, applicationId, canonical, limit ?? 50, cancellationToken);
        DateTimeOffset now = time.GetUtcNow();
        var entries = new List<HistoryEntry>(pins.Count);
        foreach (PinHistoryEntry pin in pins)
        {
            IReadOnlyList<MessageStatus> messages = await outbox.ListMessagesAsync(caller.TenantId, pin.PinId, cancellationToken);
            entries.Add(new HistoryEntry(
                pin with { Destination = PiiDisclosure.Show(pin.Destination, unmasked) },
                StatusOf(pin, now),
                messages.Select(m => m with { To = PiiDisclosure.Show(m.To, unmasked) }).ToList()));
        }

        if (unmasked)
        {
            await audit.RecordUnmaskedAsync(caller, "destination", Destinations.Mask(canonical), $"history of application {applicationId}", cancellationToken);
        }

        return entries;
    }

    /// <summary>VERIFIED, NOT_SENT, EXHAUSTED (attempts used up), EXPIRED or PENDING.</summary>
    public static string StatusOf(PinHistoryEntry pin, DateTimeOffset now) =>
        pin.VerifiedAt is not null ? "VERIFIED"
        : !pin.Sent ? "NOT_SENT"
        : pin.AttemptsRemaining <= 0 || pin.Consumed ? "EXHAUSTED"
        : now >= pin.ExpiresAt || pin.Pruned ? "EXPIRED"
        : "PENDING";

    public static AnalyticsFigures Figures(IReadOnlyCollection<PinFacts> pins)
    {
        List<PinFacts> sent = pins.Where(p => p.Sent).ToList();
        List<PinFacts> verified = sent.Where(p => p.VerifiedAt is not null).ToList();
        List<PinFacts> delivered = sent.Where(p => p.FirstDeliveredAt is not null).ToList();
        int failed = sent.Count(p => p.FirstDeliveredAt is null && p.MessagesFailed > 0);
        return new AnalyticsFigures(
            sent.Count,
            pins.Count - sent.Count,
            verified.Count,
            Ratio(verified.Count, sent.Count),
            delivered.Count,
            failed,
            Ratio(delivered.Count, sent.Count),
            Median(delivered.Select(p => (p.FirstDeliveredAt!.Value - p.CreatedAt).TotalSeconds)),
            Median(verified.Select(p => (p.VerifiedAt!.Value - p.CreatedAt).TotalSeconds)));
    }

    public static double? Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// A workflow PIN seen once per step it reached, keyed <c>step:channel</c> in
    /// <see cref="PinFacts.PinId"/> for grouping: sent when the step went out, delivered as its
    /// message was, and verified only at the last step it reached (later steps do not run once a
    /// PIN is verified), so a step's conversion is how many PINs that step brought to a verification.
    /// </summary>
    private static IEnumerable<PinFacts> AsSteps(PinFacts pin)
    {
        if (pin.Steps is not { Count: > 0 } steps)
        {
            yield break;
        }

        int last = steps.Max(s => s.Step);
        foreach (StepFact step in steps)
        {
            bool delivered = step.State == MessageState.Delivered;
            yield return new PinFacts($"{step.Step}:{ChannelKinds.Name(step.Kind)}", pin.ApplicationId, step.Kind, pin.Destination, step.CreatedAt, true,
                step.Step == last ? pin.VerifiedAt : null, delivered ? step.DeliveredAt : null, 1, delivered ? 1 : 0, step.State == MessageState.Failed ? 1 : 0);
        }
    }

    private static double? Ratio(int part, int whole) => whole == 0 ? null : Math.Round(part / (double)whole, 6);

    private static List<AnalyticsGroup> Groups(IReadOnlyList<PinFacts> pins, Func<PinFacts, string> key) =>
        pins.GroupBy(key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AnalyticsGroup(g.Key, Figures(g.ToList())))
            .ToList();
}
