using OpenTfa.Cli.Output;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

// The operator's answers: version, channels, protection, webhooks, audit, analytics, history, a PIN's story.
internal static partial class Views
{
    public static void Version(VersionResponse v) => Table.Pairs(Out, ("version", v.Version), ("commit", v.Commit));

    public static void Channels(IReadOnlyList<ChannelResponse> channels) =>
        Table.Write(Out, ["NAME", "TYPE", "KINDS", "STATE", "CIRCUIT", "SUBMITTED", "FAILED", "RETRIED", "DELIVERED", "LAST ERROR"],
            channels.Select(c => new[]
            {
                c.Name, c.Type, string.Join(",", c.Kinds), c.State, c.Circuit?.State,
                Table.Number(c.Counters?.Submitted), Table.Number(c.Counters?.Failed), Table.Number(c.Counters?.Retried), Table.Number(c.Counters?.Delivered),
                c.LastError is { } e ? $"{Table.Time(e.At)} {e.Message}" : null,
            }),
            "No channels.");

    public static void Protection(ProtectionPolicy p) =>
        Table.Pairs(Out,
            ("countries", $"allow [{List(p.Countries?.Allow)}] deny [{List(p.Countries?.Deny)}] {p.Countries?.Mode}"),
            ("prefixes", $"allow [{List(p.Prefixes?.Allow)}] deny [{List(p.Prefixes?.Deny)}] {p.Prefixes?.Mode}"),
            ("numberTypes", $"refuse [{List(p.NumberTypes?.Refuse)}] {p.NumberTypes?.Mode}"),
            ("caps", $"perCountry {p.Caps?.PerCountry ?? "-"} perPrefix {p.Caps?.PerPrefix ?? "-"} ({p.Caps?.PrefixDigits} digits) {p.Caps?.Mode}"),
            ("guard", p.Guard is { } g ? $"{(g.Enabled == true ? "on" : "off")} {g.Mode}: window {g.Window}, baseline {g.BaselineWindow}, jump x{Table.Number(g.JumpRatio)}, conversion < {Table.Number(g.ConversionFloor)}, cool-down {g.CoolDown}" : null),
            ("nist", p.Nist is { } nist ? Table.Bool(nist) : null),
            ("testNumbers", p.TestNumbers is { Count: > 0 } numbers ? string.Join(", ", numbers.Select(t => $"{t.Number} until {Table.Time(t.ExpiresAt)}")) : "none"));

    public static void ProtectionEvents(RuleEventsResponse events)
    {
        Table.Write(Out, ["RULE", "MODE", "COUNT"], events.Counts.Select(c => new[] { c.Rule, c.Mode, Table.Number(c.Count) }), "No rule refused or flagged a send.");
        if (events.Events.Count > 0)
        {
            Out.WriteLine();
            Table.Write(Out, ["AT", "RULE", "MODE", "COUNTRY", "PREFIX"], events.Events.Select(e => new[] { Table.Time(e.At), e.Rule, e.Mode, e.Country, e.Prefix }), string.Empty);
        }
    }

    public static void Blocks(IReadOnlyList<GuardBlockResponse> blocks) =>
        Table.Write(Out, ["PREFIX", "SINCE", "UNTIL", "REASON"], blocks.Select(b => new[] { b.Prefix, Table.Time(b.Since), Table.Time(b.Until), b.Reason }),
            "The pumping guard blocks no prefix.");

    public static void Lockouts(IReadOnlyList<LockoutResponse> lockouts) =>
        Table.Write(Out, ["DESTINATION", "FAILURES", "LOCKED", "LAST FAILURE"],
            lockouts.Select(l => new[] { l.Destination, Table.Number(l.Failures), Table.Bool(l.Locked), Table.Time(l.LastFailureAt) }),
            "No destination is locked out.");

    public static void Webhook(WebhookResponse w) =>
        Table.Pairs(Out,
            ("webhookId", w.WebhookId),
            ("applicationId", w.ApplicationId),
            ("url", w.Url),
            ("events", List(w.Events)),
            ("enabled", Table.Bool(w.Enabled)),
            ("description", w.Description),
            ("createdAt", Table.Time(w.CreatedAt)),
            ("updatedAt", Table.Time(w.UpdatedAt)));

    public static void Webhooks(IReadOnlyList<WebhookResponse> webhooks) =>
        Table.Write(Out, ["WEBHOOK ID", "URL", "EVENTS", "ENABLED", "DESCRIPTION"],
            webhooks.Select(w => new[] { w.WebhookId, w.Url, List(w.Events), Table.Bool(w.Enabled), w.Description }),
            "No webhooks; create one with 'opentfa webhooks create <applicationId> --url <https://…>'.");

    public static void Deliveries(IReadOnlyList<WebhookDeliveryResponse> deliveries) =>
        Table.Write(Out, ["DELIVERY ID", "EVENT", "STATE", "ATTEMPTS", "CREATED", "LAST STATUS", "LAST ERROR"],
            deliveries.Select(d => new[] { d.DeliveryId, d.EventType, d.State, Table.Number(d.Attempts), Table.Time(d.CreatedAt), Table.Number(d.LastStatus), d.LastError }),
            "No deliveries yet.");

    public static void Audit(IReadOnlyList<AuditEntryResponse> entries) =>
        Table.Write(Out, ["ID", "AT", "TENANT", "ACTOR KEY", "ACTION", "TARGET", "DETAILS"],
            entries.Select(e => new[] { Table.Number(e.Id), Table.Time(e.At), e.TenantId, e.ActorKeyId, e.Action, $"{e.TargetType} {e.TargetId}".Trim(), e.Details }),
            "No audit entries.");

    public static void Analytics(AnalyticsResponse a)
    {
        Out.WriteLine($"From {Table.Time(a.From)} to {Table.Time(a.To)}{(a.Truncated ? " (truncated)" : string.Empty)}");
        string[] headers = ["GROUP", "SENT", "NOT SENT", "VERIFIED", "CONVERSION", "DELIVERED", "FAILED", "DELIVERY RATE"];
        IEnumerable<string?[]> rows = new[] { ("total", a.Totals) }
            .Concat(a.ByChannel.Select(g => ($"channel {g.Key}", g.Figures)))
            .Concat(a.ByCountry.Select(g => ($"country {g.Key}", g.Figures)))
            .Concat(a.ByApplication.Select(g => ($"application {g.Key}", g.Figures)))
            .Select(r => new[] { r.Item1, Table.Number(r.Item2.Sent), Table.Number(r.Item2.NotSent), Table.Number(r.Item2.Verified), Percent(r.Item2.Conversion), Table.Number(r.Item2.Delivered), Table.Number(r.Item2.Failed), Percent(r.Item2.DeliveryRate) });
        Table.Write(Out, headers, rows, string.Empty);
        if (a.ByStep.Count > 0)
        {
            // A step's sent is the PINs that reached it and its verified those verified before the next step, so its rows do not add up to the totals.
            Out.WriteLine();
            Table.Write(Out, ["WORKFLOW STEP", "SENT", "VERIFIED", "CONVERSION", "DELIVERED", "FAILED", "DELIVERY RATE", "MEDIAN VERIFY"],
                a.ByStep.Select(g => new[]
                {
                    g.Key, Table.Number(g.Figures.Sent), Table.Number(g.Figures.Verified), Percent(g.Figures.Conversion), Table.Number(g.Figures.Delivered),
                    Table.Number(g.Figures.Failed), Percent(g.Figures.DeliveryRate), g.Figures.MedianVerificationSeconds is { } m ? $"{Table.Number(Math.Round(m, 1))} s" : null,
                }),
                string.Empty);
        }
    }

    public static void History(HistoryResponse h) =>
        Table.Write(Out, ["PIN ID", "CHANNEL", "STATUS", "SENT", "VERIFIED", "ATTEMPTS LEFT", "MESSAGES"],
            h.Pins.Select(p => new[]
            {
                p.PinId, p.Channel, p.Status, Table.Time(p.SentAt), Table.Time(p.VerifiedAt), Table.Number(p.AttemptsRemaining),
                string.Join("; ", p.Messages.Select(m => $"{m.State}{(m.Error is null ? string.Empty : $" ({m.Error})")}")),
            }),
            "No PINs were sent to this destination by this application.");

    public static void Timeline(TimelineResponse t)
    {
        Out.WriteLine($"From {Table.Time(t.From)} to {Table.Time(t.To)}, by {t.StepSeconds} s{(t.Truncated ? " (truncated)" : string.Empty)}");
        Table.Write(Out, ["STEP", "SENT", "VERIFIED", "CONVERSION", "DELIVERED", "DELIVERY RATE", "BLOCKED"],
            t.Buckets.Select(b => new[] { Table.Time(b.Start), Table.Number(b.Sent), Table.Number(b.Verified), Percent(b.Conversion), Table.Number(b.Delivered), Percent(b.DeliveryRate), Table.Number(b.Blocked) }),
            string.Empty);
    }

    public static void Pin(PinResponse p)
    {
        Out.WriteLine($"PIN {p.PinId}: {p.Status}, {p.Channel} to {p.To}, application {p.ApplicationId}, template {p.MessageId}");
        Out.WriteLine($"Created {Table.Time(p.CreatedAt)}, expires {Table.Time(p.ExpiresAt)}, verified {Table.Time(p.VerifiedAt) ?? "no"}, {p.AttemptsRemaining} attempt(s) left");
        if (p.Workflow is { } w)
        {
            string next = w.NextStepAt is { } due && w.StepsRun < w.Steps.Count ? $"step {w.StepsRun + 1} ({w.Steps[w.StepsRun].Channel}) due {Table.Time(due)}" : "no step due";
            Out.WriteLine($"Workflow: {StepsInLine(w.Steps)}; {(w.NewPinPerStep ? "a new PIN per step" : "the same PIN on every step")}; {w.StepsRun} of {w.Steps.Count} step(s) run, {next}");
        }

        Table.Write(Out, ["MESSAGE ID", "STEP", "CHANNEL", "STATE", "TO", "UPDATED", "GATEWAY", "ERROR"],
            p.Messages.Select(m => new[] { m.MessageId, Table.Number(m.Step), m.Channel, m.State, m.To, Table.Time(m.UpdatedAt ?? m.CreatedAt), m.ChannelName, m.Error }),
            "No messages.");
        Table.Write(Out, ["VERIFIED AT", "OUTCOME"], p.Verifications.Select(v => new[] { Table.Time(v.At), v.Outcome }), "No verification attempts yet.");
    }

    private static string List(IReadOnlyList<string>? values) => values is null ? string.Empty : string.Join(", ", values);

    private static string? Percent(double? ratio) => ratio is { } r ? r.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : null;
}
