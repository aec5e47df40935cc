using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Server.Tests.Security;

namespace OpenTfa.Server.Tests.Endpoints;

/// <summary>
/// What support staff and the console read: one PIN's story with every verify, and figures per
/// step of the last hour, day or month with the protection events in them.
/// </summary>
public sealed class PinStoryAndTimelineTests(BothStoresFixture stores) : IClassFixture<BothStoresFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task Timeline_PlacesSendsVerificationsAndRuleEventsInTheirSteps()
    {
        var time = new FakeTimeProvider(Start);
        await using TestServer server = await TestServer.StartAsync(time: time);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication());
        string first = await client.SendPinOkAsync(app, template, "41793000801");
        Assert.True((await client.VerifyAsync(first, await server.Deliveries.WaitForPinAsync("41793000801"))).Json["verified"]!.GetValue<bool>());
        time.Advance(TimeSpan.FromMinutes(5));
        await client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"countries":{"deny":["DE"],"mode":"monitor"}}""").OkAsync();
        await client.SendPinOkAsync(app, template, "41793000802");
        await client.SendPinOkAsync(app, template, "4915123400803");
        await server.WaitUntilQueuesDrainedAsync();

        JsonNode hour = (await client.GetJsonAsync($"/opentfa/v1/analytics/timeline?range=hour&applicationId={app}").OkAsync()).Json;
        JsonArray buckets = hour["buckets"]!.AsArray();
        Assert.Equal(60, buckets.Count);
        Assert.Equal(60, (int)hour["stepSeconds"]!);
        Assert.Equal(Start.AddMinutes(6).AddSeconds(-30).ToUnixTimeMilliseconds(), (long)hour["to"]!);
        Assert.Equal(Start.AddMinutes(-54).AddSeconds(-30).ToUnixTimeMilliseconds(), (long)hour["from"]!);
        JsonNode early = buckets[54]!;
        JsonNode late = buckets[59]!;
        Assert.Equal(Start.AddSeconds(-30).ToUnixTimeMilliseconds(), (long)early["start"]!);
        Assert.Equal((1, 1, 1.0, 0), ((int)early["sent"]!, (int)early["verified"]!, (double)early["conversion"]!, (int)early["blocked"]!));
        Assert.Equal((2, 0, 0.0, 1), ((int)late["sent"]!, (int)late["verified"]!, (double)late["conversion"]!, (int)late["blocked"]!));
        Assert.Equal("sms", (string)late["byChannel"]![0]!["key"]!);
        Assert.Equal(2, (int)late["byChannel"]![0]!["sent"]!);
        Assert.All(buckets.Take(54), b => Assert.Equal(0, (int)b!["sent"]!));
        Assert.Null(buckets[0]!["conversion"]);
        JsonNode rule = Assert.Single(hour["protection"]!.AsArray())!;
        Assert.Equal((app, "countries", "monitor", "DE"), ((string)rule["applicationId"]!, (string)rule["rule"]!, (string)rule["mode"]!, (string)rule["country"]!));

        JsonNode day = (await client.GetJsonAsync("/opentfa/v1/analytics/timeline").OkAsync()).Json;
        Assert.Equal("day", (string)day["range"]!);
        Assert.Equal(24, day["buckets"]!.AsArray().Count);
        Assert.Equal((3, 1), ((int)day["buckets"]![23]!["sent"]!, (int)day["buckets"]![23]!["verified"]!));
        Assert.Equal(1, (int)day["buckets"]![23]!["blocked"]!);
        JsonNode month = (await client.GetJsonAsync("/opentfa/v1/analytics/timeline?range=month").OkAsync()).Json;
        Assert.Equal(30, month["buckets"]!.AsArray().Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), (long)month["buckets"]![29]!["start"]!);
        Assert.Equal(3, (int)month["buckets"]![29]!["sent"]!);
    }

    [Fact]
    public async Task Timeline_RefusesAnUnknownRangeAndAForeignApplication()
    {
        HttpClient client = stores.Sqlite.Client();

        Reply range = await client.GetJsonAsync("/opentfa/v1/analytics/timeline?range=week");
        Reply app = await client.GetJsonAsync("/opentfa/v1/analytics/timeline?applicationId=0123456789ABCDEF0123456789ABCDEF");

        Assert.Equal(HttpStatusCode.BadRequest, range.Status);
        Assert.Contains("range", range.Json["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("hour, day, month", range.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, app.Status);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task PinStory_TellsEveryMessageAndEveryVerify_MaskedUnlessAskedWithThePiiScope(string store)
    {
        TestServer server = stores.Server(store);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(attempts: 3, allowMultiple: false));
        string to = store == "sqlite" ? "41793000811" : "41793000812";
        string pinId = await client.SendPinOkAsync(app, template, to);
        string pin = await server.Deliveries.WaitForPinAsync(to);
        string wrong = pin == "0000" ? "1111" : "0000";
        await client.VerifyAsync(pinId, wrong);
        await client.VerifyAsync(pinId, pin);
        await client.VerifyAsync(pinId, pin);
        await server.WaitUntilQueuesDrainedAsync();

        JsonNode story = (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}").OkAsync()).Json;

        Assert.Equal((pinId, app, template, "sms"), ((string)story["pinId"]!, (string)story["applicationId"]!, (string)story["messageId"]!, (string)story["channel"]!));
        Assert.Equal("VERIFIED", (string)story["status"]!);
        Assert.Equal("*******" + to[^4..], (string)story["to"]!);
        Assert.Equal(0, (int)story["attemptsRemaining"]!);
        Assert.NotNull(story["verifiedAt"]);
        JsonNode message = Assert.Single(story["messages"]!.AsArray())!;
        Assert.Equal(("SUBMITTED", "log"), ((string)message["state"]!, (string)message["channelName"]!));
        Assert.DoesNotContain(to, story.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(["WRONG_PIN", "VERIFIED", "NO_MORE_PIN_ATTEMPTS"], story["verifications"]!.AsArray().Select(v => (string)v!["outcome"]!));
        long[] times = story["verifications"]!.AsArray().Select(v => (long)v!["at"]!).ToArray();
        Assert.Equal(times.Order(), times);

        JsonNode full = (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}?unmasked=true").OkAsync()).Json;
        Assert.Equal(to, (string)full["to"]!);
        Assert.Equal(to, (string)full["messages"]![0]!["to"]!);
        string audit = (await client.GetJsonAsync("/opentfa/v1/audit?limit=20").OkAsync()).Json.ToJsonString();
        Assert.Contains($"PIN {pinId}", audit, StringComparison.Ordinal);

        HttpClient manager = server.Client(await client.CreateKeyAsync("\"2fa:manage\""));
        Assert.Equal(HttpStatusCode.OK, (await manager.GetJsonAsync($"/opentfa/v1/pins/{pinId}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetJsonAsync($"/opentfa/v1/pins/{pinId}?unmasked=true")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client(await client.CreateKeyAsync("\"2fa:pin:send\"")).GetJsonAsync($"/opentfa/v1/pins/{pinId}")).Status);
        HttpClient other = server.Client(await client.CreateKeyAsync("\"2fa:manage\",\"opentfa:pii\"", await client.CreateTenantAsync($"story-{store}")));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync($"/opentfa/v1/pins/{pinId}?unmasked=true")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync("/opentfa/v1/pins/0123456789ABCDEF0123456789ABCDEF")).Status);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task PinStory_UnderABurstOfWrongVerifies_RecordsExactlyWhatWasAnswered(string store)
    {
        TestServer server = stores.Server(store);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(attempts: 5));
        string to = store == "sqlite" ? "41793000821" : "41793000822";
        string pinId = await client.SendPinOkAsync(app, template, to);
        string wrong = await server.Deliveries.WaitForPinAsync(to) == "0000" ? "1111" : "0000";

        Reply[] answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => client.VerifyAsync(pinId, wrong)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        string[] answered = answers.Select(a => a.Str("pinError")).Order(StringComparer.Ordinal).ToArray();
        JsonNode story = (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}").OkAsync()).Json;
        string[] recorded = story["verifications"]!.AsArray().Select(v => (string)v!["outcome"]!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(answered, recorded);
        Assert.Equal(5, recorded.Count(o => o == "WRONG_PIN"));
        Assert.Equal("EXHAUSTED", (string)story["status"]!);
    }
}
