using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
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
    bool Truncated);

public sealed record HistoryEntry(PinHistoryEntry Pin, string Status, IReadOnlyList<MessageStatus> Messages);

/// <summary>Conversion and delivery figures over a window, and a destination's history for support staff.</summary>
public sealed class AnalyticsService(IAnalyticsStore store, IApplicationStore applications, IOutboxStore outbox, AuditLog audit, TimeProvider time)
{
    public const int MaxPins = 500_000;
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

        IReadOnlyList<PinFacts> pins = await store.ListPinFactsAsync(new PinFactsQuery(tenantId, string.IsNullOrEmpty(applicationId) ? null : applicationId, start, end, MaxPins + 1), cancellationToken);
        bool truncated = pins.Count > MaxPins;
        if (truncated)
        {
            pins = pins.Take(MaxPins).ToList();
        }

        return new AnalyticsReport(start, end, Figures(pins),
            Groups(pins, p => p.ApplicationId),
            Groups(pins, p => OpenTfaMetrics.KindOf(p.Kind)),
            Groups(pins, p => OpenTfaMetrics.CountryOf(p.Kind, p.Destination)),
            truncated);
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

    private static double? Ratio(int part, int whole) => whole == 0 ? null : Math.Round(part / (double)whole, 6);

    private static List<AnalyticsGroup> Groups(IReadOnlyList<PinFacts> pins, Func<PinFacts, string> key) =>
        pins.GroupBy(key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AnalyticsGroup(g.Key, Figures(g.ToList())))
            .ToList();
}
