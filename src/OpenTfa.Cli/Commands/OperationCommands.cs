using System.CommandLine;
using System.Text.Json;
using OpenTfa.Client;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary>
/// The operator's commands: <c>version</c>, <c>channels</c>, <c>protection</c>, <c>webhooks</c>,
/// <c>audit</c>, <c>analytics</c> and <c>history</c>.
/// </summary>
internal static class OperationCommands
{
    public static Command Version() => Simple("version", "The server's version and commit (any valid key)", async (s, ct) =>
    {
        VersionResponse version = await s.Client.GetVersionAsync(ct);
        s.Emit(() => Views.Version(version));
    });

    public static Command Channels() => new("channels", "This node's delivery channels (operator opentfa:admin key)")
    {
        Simple("list", "Each channel's state, circuit breaker, counters and last error", async (s, ct) =>
        {
            IReadOnlyList<ChannelResponse> channels = await s.Client.GetChannelsAsync(ct);
            s.Emit(() => Views.Channels(channels));
        }),
    };

    public static Command Protection()
    {
        var app = new Option<string?>("--app") { Description = "An application's policy instead of the tenant's default" };
        var unmasked = new Option<bool>("--unmasked") { Description = "Show numbers in full (needs opentfa:pii; audited)" };
        var show = new Command("show", "The tenant's default policy, or an application's effective one") { app, unmasked };
        show.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            ProtectionPolicy policy = await s.Client.GetProtectionAsync(parse.GetValue(app), parse.GetValue(unmasked), ct);
            s.Emit(() => Views.Protection(policy));
            return ExitCodes.Ok;
        }, ct));

        var file = new Option<FileInfo>("--file", "-f") { Description = "The policy as JSON (fields left out take their defaults; '-' reads standard input)", Required = true };
        var setApp = new Option<string?>("--app") { Description = "Set an application's policy instead of the tenant's default" };
        var set = new Command("set", "Replace a protection policy with the JSON in a file") { file, setApp };
        set.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            FileInfo source = parse.GetRequiredValue(file);
            string json = source.Name == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(source.FullName, ct);
            ProtectionPolicy policy;
            try
            {
                policy = JsonSerializer.Deserialize(json, OpenTfaJsonContext.Default.ProtectionPolicy) ?? throw new JsonException("the file holds null");
            }
            catch (JsonException ex)
            {
                throw new UsageException($"{source.Name} is not a protection policy: {ex.Message}");
            }

            ProtectionPolicy saved = await s.Client.SetProtectionAsync(policy, parse.GetValue(setApp), ct);
            s.Emit(() => Views.Protection(saved));
            return ExitCodes.Ok;
        }, ct));

        return new Command("protection", "Abuse protection: policies, what the rules refused, guard blocks, lockouts (scope opentfa:admin)")
        {
            show,
            set,
            ForApplication("events", "What the application's rules refused or flagged", async (s, a, ct) =>
            {
                RuleEventsResponse events = await s.Client.GetProtectionEventsAsync(a, cancellationToken: ct);
                s.Emit(() => Views.ProtectionEvents(events));
            }),
            ForApplication("blocks", "The prefixes the pumping guard blocks", async (s, a, ct) =>
            {
                IReadOnlyList<GuardBlockResponse> blocks = await s.Client.GetGuardBlocksAsync(a, ct);
                s.Emit(() => Views.Blocks(blocks));
            }),
            Lockouts(),
            ClearLockout(),
        };
    }

    private static Command Lockouts()
    {
        var app = new Argument<string>("applicationId");
        var minimum = new Option<int?>("--minimum-failures") { Description = "Also destinations with at least this many failures, not yet locked" };
        var unmasked = new Option<bool>("--unmasked") { Description = "Show destinations in full (needs opentfa:pii; audited)" };
        var command = new Command("lockouts", "Destinations NIST mode locked out after failed verifications") { app, minimum, unmasked };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<LockoutResponse> lockouts = await s.Client.GetLockoutsAsync(parse.GetRequiredValue(app), parse.GetValue(minimum), parse.GetValue(unmasked), ct);
            s.Emit(() => Views.Lockouts(lockouts));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ClearLockout()
    {
        var app = new Argument<string>("applicationId");
        var destination = new Argument<string>("destination") { Description = "The phone number, in international format" };
        var command = new Command("clear-lockout", "Clear a destination's failed verifications, unlocking it") { app, destination };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            await s.Client.ClearLockoutAsync(parse.GetRequiredValue(app), parse.GetRequiredValue(destination), ct);
            s.Emit(() => Session.Out.WriteLine("Cleared."));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Webhooks()
    {
        var app = new Argument<string>("applicationId");
        var url = new Option<string>("--url") { Description = "Where to POST events (https)", Required = true };
        var events = new Option<string[]>("--event") { Description = "An event type to send (pin.sent, pin.verified, message.delivered, …); repeat; default every event" };
        var description = new Option<string?>("--description") { Description = "What the webhook is for" };
        var create = new Command("create", "Create a webhook; its signing secret is shown only this once") { app, url, events, description };
        create.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            string[] types = parse.GetValue(events) ?? [];
            WebhookResponse webhook = await s.Client.CreateWebhookAsync(parse.GetRequiredValue(app),
                new WebhookRequest { Url = parse.GetRequiredValue(url), Events = types.Length == 0 ? null : [.. types], Description = parse.GetValue(description) }, ct);
            s.Emit(() => WithSecret(webhook));
            return ExitCodes.Ok;
        }, ct));

        var updateApp = new Argument<string>("applicationId");
        var webhookId = new Argument<string>("webhookId");
        var newUrl = new Option<string?>("--url") { Description = "A new URL" };
        var enabled = new Option<bool?>("--enabled") { Description = "true or false" };
        var newEvents = new Option<string[]>("--event") { Description = "Replace the event types; repeat" };
        var newDescription = new Option<string?>("--description");
        var update = new Command("update", "Change a webhook (only what is given)") { updateApp, webhookId, newUrl, enabled, newEvents, newDescription };
        update.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            string[] types = parse.GetValue(newEvents) ?? [];
            WebhookResponse webhook = await s.Client.UpdateWebhookAsync(parse.GetRequiredValue(updateApp), parse.GetRequiredValue(webhookId), new WebhookRequest
            {
                Url = parse.GetValue(newUrl),
                Enabled = parse.GetValue(enabled),
                Events = types.Length == 0 ? null : [.. types],
                Description = parse.GetValue(newDescription),
            }, ct);
            s.Emit(() => Views.Webhook(webhook));
            return ExitCodes.Ok;
        }, ct));

        return new Command("webhooks", "Signed event notifications of an application (scope opentfa:admin)")
        {
            create,
            ForApplication("list", "An application's webhooks", async (s, a, ct) =>
            {
                IReadOnlyList<WebhookResponse> webhooks = await s.Client.GetWebhooksAsync(a, ct);
                s.Emit(() => Views.Webhooks(webhooks));
            }),
            ForWebhook("show", "One webhook", async (s, a, w, ct) =>
            {
                WebhookResponse webhook = await s.Client.GetWebhookAsync(a, w, ct);
                s.Emit(() => Views.Webhook(webhook));
            }),
            update,
            ForWebhook("delete", "Delete a webhook; its pending deliveries are dropped", async (s, a, w, ct) =>
            {
                await s.Client.DeleteWebhookAsync(a, w, ct);
                s.Emit(() => Session.Out.WriteLine($"Deleted {w}."));
            }),
            ForWebhook("rotate-secret", "Replace the signing secret; the new one is shown only this once", async (s, a, w, ct) =>
            {
                WebhookResponse webhook = await s.Client.RotateWebhookSecretAsync(a, w, ct);
                s.Emit(() => WithSecret(webhook));
            }),
            ForWebhook("deliveries", "A webhook's deliveries, newest first", async (s, a, w, ct) =>
            {
                IReadOnlyList<WebhookDeliveryResponse> deliveries = await s.Client.GetWebhookDeliveriesAsync(a, w, cancellationToken: ct);
                s.Emit(() => Views.Deliveries(deliveries));
            }),
        };
    }

    public static Command Audit()
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's entries (operator keys)" };
        var limit = new Option<int?>("--limit") { Description = "How many entries (default 100)" };
        var before = new Option<long?>("--before") { Description = "Entries before this entry id, to page back" };
        var list = new Command("list", "Who changed what, newest first (scope opentfa:admin)") { tenant, limit, before };
        list.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<AuditEntryResponse> entries = await s.Client.GetAuditTrailAsync(
                new AuditQuery(TenantId: parse.GetValue(tenant), Before: parse.GetValue(before), Limit: parse.GetValue(limit)), ct);
            s.Emit(() => Views.Audit(entries));
            return ExitCodes.Ok;
        }, ct));
        return new Command("audit", "The audit trail") { list };
    }

    public static Command Analytics()
    {
        var app = new Option<string?>("--app") { Description = "One application only" };
        var since = new Option<string?>("--since") { Description = "A duration back from now (24h, 7d, 30m); default 24h" };
        var command = new Command("analytics", "Sends, verifications, conversion and delivery, in total and by channel, country and application (scope 2fa:manage)") { app, since };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                from = KeyCommands.TryDuration(text.Trim(), out TimeSpan back)
                    ? TimeProvider.System.GetUtcNow() - back
                    : throw new UsageException($"--since '{text}' is not a duration (24h, 7d, 30m)");
            }

            AnalyticsResponse report = await s.Client.GetAnalyticsAsync(parse.GetValue(app), from, null, ct);
            s.Emit(() => Views.Analytics(report));
            return ExitCodes.Ok;
        }, ct));
        command.Add(Timeline());
        return command;
    }

    private static Command Timeline()
    {
        var app = new Option<string?>("--app") { Description = "One application only" };
        var range = new Option<string>("--range") { Description = "hour (by minute), day (by hour) or month (30 days by day)", DefaultValueFactory = _ => "day" };
        range.AcceptOnlyFromAmong("hour", "day", "month");
        var command = new Command("timeline", "The same figures step by step, with protection events (scope 2fa:manage)") { app, range };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            TimelineResponse timeline = await s.Client.GetTimelineAsync(parse.GetRequiredValue(range), parse.GetValue(app), ct);
            s.Emit(() => Views.Timeline(timeline));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command History()
    {
        var app = new Argument<string>("applicationId");
        var destination = new Argument<string>("destination") { Description = "The phone number or e-mail address" };
        var unmasked = new Option<bool>("--unmasked") { Description = "Show destinations in full (needs opentfa:pii; audited)" };
        var command = new Command("history", "Every PIN an application sent to a destination, with its messages and outcome (scope 2fa:manage)") { app, destination, unmasked };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            HistoryResponse history = await s.Client.GetDestinationHistoryAsync(parse.GetRequiredValue(app), parse.GetRequiredValue(destination), unmasked: parse.GetValue(unmasked), cancellationToken: ct);
            s.Emit(() => Views.History(history));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static void WithSecret(WebhookResponse webhook)
    {
        Views.Webhook(webhook);
        Session.Out.WriteLine();
        Session.Out.WriteLine("The signing secret (shown only now; store it safely):");
        Session.Out.WriteLine(webhook.Secret);
    }

    private static Command Simple(string name, string description, Func<Session, CancellationToken, Task> body) =>
        WithAction(new Command(name, description), (_, s, ct) => body(s, ct));

    private static Command ForApplication(string name, string description, Func<Session, string, CancellationToken, Task> body)
    {
        var app = new Argument<string>("applicationId");
        return WithAction(new Command(name, description) { app }, (parse, s, ct) => body(s, parse.GetRequiredValue(app), ct));
    }

    private static Command ForWebhook(string name, string description, Func<Session, string, string, CancellationToken, Task> body)
    {
        var app = new Argument<string>("applicationId");
        var webhook = new Argument<string>("webhookId");
        return WithAction(new Command(name, description) { app, webhook }, (parse, s, ct) => body(s, parse.GetRequiredValue(app), parse.GetRequiredValue(webhook), ct));
    }

    /// <summary>Runs <paramref name="body"/> in a session when the command is invoked; it exits 0 unless the call throws.</summary>
    private static Command WithAction(Command command, Func<ParseResult, Session, CancellationToken, Task> body)
    {
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            await body(parse, s, ct);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
