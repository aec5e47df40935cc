using System.Diagnostics;
using System.Net;
using OpenTfa.Core.Observability;
using OpenTfa.Observability.Tests.Infrastructure;

namespace OpenTfa.Observability.Tests;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_NeedTheOperatorsKey_AndCarryTheStandardHttpRuntimeAndOutboxFigures()
    {
        await using ObservedServer server = await ObservedServer.StartAsync();
        HttpClient client = server.Client();
        (string app, string sms, _) = await client.CreateApplicationAsync(Json.App());
        await client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{sms}}","to":"41793026727"}""").OkAsync();
        await server.Channel.WaitForAsync("41793026727");

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(key: null).GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        HttpResponseMessage response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scrape = new Scrape(await response.Content.ReadAsStringAsync());
        Assert.True(scrape.Has("http_server_request_duration_seconds_count"), "ASP.NET Core request durations");
        Assert.Contains(scrape.Names, n => n.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.True(scrape.Has("opentfa_outbox_depth"));
        Assert.True(scrape.Has("opentfa_outbox_oldest_age_seconds"));
        Assert.Equal(1, scrape.Sum("opentfa_pins_sent_total", ("application", app), ("channel", "sms"), ("country", "CH"), ("outcome", "sent")));
        Assert.DoesNotContain("41793026727", scrape.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_SwitchedOffOrOutsideTheAllowedNetworks_AnswerNotFound()
    {
        await using (ObservedServer off = await ObservedServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:Telemetry:MetricsEnabled"] = "false" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await off.Client().GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        }

        await using (ObservedServer restricted = await ObservedServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:Telemetry:MetricsAllowedNetworks:0"] = "10.0.0.0/8" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await restricted.Client().GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        }

        await using ObservedServer loopback = await ObservedServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Telemetry:MetricsAllowedNetworks:0"] = "127.0.0.0/8",
            ["OpenTfa:Telemetry:MetricsPath"] = "/internal/metrics",
        });
        Assert.Equal(HttpStatusCode.OK, (await loopback.Client().GetAsync(new Uri("/internal/metrics", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Traces_FollowAPinFromTheRequestThroughTheStoreToTheChannel()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == OpenTfaTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using ObservedServer server = await ObservedServer.StartAsync();
        HttpClient client = server.Client();
        (string app, string sms, _) = await client.CreateApplicationAsync(Json.App());

        string pinId = (await client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{sms}}","to":"41793026727"}""").OkAsync()).Str("pinId");
        await server.Channel.WaitForAsync("41793026727");
        await Poll.UntilAsync(() => spans.Any(s => s.DisplayName == "outbox deliver" && (string?)s.GetTagItem("opentfa.pin_id") == pinId),
            TimeSpan.FromSeconds(10), () => "the delivery's span ended");

        Activity send = spans.Single(s => s.DisplayName == "pin send" && (string?)s.GetTagItem("opentfa.pin_id") == pinId);
        Activity[] trace = spans.Where(s => s.TraceId == send.TraceId).ToArray();
        Assert.Contains(trace, s => s.DisplayName == "store IssuePin" && s.ParentSpanId == send.SpanId);
        Activity deliver = Assert.Single(trace, s => s.DisplayName == "outbox deliver");
        Assert.Equal(pinId, deliver.GetTagItem("opentfa.pin_id"));
        Activity channel = Assert.Single(trace, s => s.DisplayName == "channel send scripted");
        Assert.Equal(deliver.SpanId, channel.ParentSpanId);
        Assert.All(spans, s => Assert.DoesNotContain(s.TagObjects, t => t.Value is string v && v.Contains("41793026727", StringComparison.Ordinal)));
    }
}
