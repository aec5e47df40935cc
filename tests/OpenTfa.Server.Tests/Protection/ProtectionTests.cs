using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Server.Tests.Infrastructure;
using PhoneNumbers;

namespace OpenTfa.Server.Tests.Protection;

/// <summary>Destination rules, caps and the pumping guard, each in enforce and in monitor mode.</summary>
public sealed class ProtectionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly HttpClient _client = fixture.Server.Client();

    private async Task<(string App, string Template)> AppWithPolicyAsync(string policy)
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply put = await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", policy);
        Assert.True(put.Status == HttpStatusCode.OK, put.ToString());
        return (app, template);
    }

    private async Task<Reply> EventsAsync(string app) => await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/events");

    private static int Count(Reply events, string rule, string mode) =>
        events.Json["counts"]!.AsArray().Where(c => c!["rule"]!.GetValue<string>() == rule && c["mode"]!.GetValue<string>() == mode).Select(c => c!["count"]!.GetValue<int>()).SingleOrDefault();

    [Fact]
    public async Task CountryDenyList_Enforced_Refuses403NamingTheRule_ThenMonitorLetsItThrough()
    {
        (string app, string template) = await AppWithPolicyAsync("""{"countries":{"deny":["CH"],"mode":"enforce"}}""");

        Reply refused = await _client.SendPinAsync(app, template, "41793000901");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("FORBIDDEN", refused.ErrorMessageId);
        Assert.Contains("'countries'", refused.ServiceException["text"]!.GetValue<string>());
        Assert.Contains("CH", refused.ServiceException["text"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _client.SendPinAsync(app, template, "4915123456789")).Status);

        await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"countries":{"deny":["CH"],"mode":"monitor"}}""");
        Assert.Equal(HttpStatusCode.OK, (await _client.SendPinAsync(app, template, "41793000902")).Status);

        Reply events = await EventsAsync(app);
        Assert.Equal(1, Count(events, "countries", "enforce"));
        Assert.Equal(1, Count(events, "countries", "monitor"));
    }

    [Fact]
    public async Task PrefixAllowList_RefusesEverythingElse()
    {
        (string app, string template) = await AppWithPolicyAsync("""{"prefixes":{"allow":["4179"],"mode":"enforce"}}""");
        Assert.Equal(HttpStatusCode.OK, (await _client.SendPinAsync(app, template, "41793000903")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.SendPinAsync(app, template, "4915123456789")).Status);
    }

    [Fact]
    public async Task PremiumRateNumber_IsRefusedByDefault_AndAllowedWhenSwitchedOff()
    {
        PhoneNumberUtil util = PhoneNumberUtil.GetInstance();
        PhoneNumber premium = util.GetExampleNumberForType("GB", PhoneNumberType.PREMIUM_RATE);
        string number = $"{premium.CountryCode}{premium.NationalNumber}";
        (string app, string template) = await _client.CreateAppAndTemplateAsync();

        Reply refused = await _client.SendPinAsync(app, template, number);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("PREMIUM_RATE", refused.ServiceException["text"]!.GetValue<string>());

        await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"numberTypes":{"refuse":[]}}""");
        Assert.Equal(HttpStatusCode.OK, (await _client.SendPinAsync(app, template, number)).Status);
    }

    [Fact]
    public async Task PrefixCap_Enforced_RefusesBeyondIt_MonitorCountsExactlyWhatWouldBeRefused()
    {
        (string app, string template) = await AppWithPolicyAsync("""{"caps":{"perPrefix":"3/1h","prefixDigits":6,"mode":"enforce"}}""");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.SendPinAsync(app, template, $"4179301000{i}")).Status);
        }

        Reply capped = await _client.SendPinAsync(app, template, "41793010009");
        Assert.Equal(HttpStatusCode.TooManyRequests, capped.Status);
        Assert.Contains("caps.perPrefix", capped.ServiceException["text"]!.GetValue<string>());
        Assert.True(capped.Response.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendPinAsync(app, template, "41783010000")).Status);

        (string monitored, string monitoredTemplate) = await AppWithPolicyAsync("""{"caps":{"perPrefix":"3/1h","prefixDigits":6,"mode":"monitor"}}""");
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.SendPinAsync(monitored, monitoredTemplate, $"4179302000{i}")).Status);
        }

        Assert.Equal(2, Count(await EventsAsync(monitored), "caps.perPrefix", "monitor"));
        Assert.Equal(1, Count(await EventsAsync(app), "caps.perPrefix", "enforce"));
    }

    [Fact]
    public async Task CountryCap_UnderConcurrency_IsExact()
    {
        (string app, string template) = await AppWithPolicyAsync("""{"caps":{"perCountry":"5/1h","mode":"enforce"}}""");
        Reply[] replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => _client.SendPinAsync(app, template, $"4179303{i:D4}")));
        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        Assert.Equal(5, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(35, replies.Count(r => r.Status == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task InvalidPolicy_AnswersProblemDetailsNamingTheField_AndChangesNothing()
    {
        (string app, _) = await AppWithPolicyAsync("""{"countries":{"deny":["CH"]}}""");
        Reply bad = await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"countries":{"deny":["Switzerland"]},"caps":{"perCountry":"5/x"},"guard":{"mode":"maybe"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.NotNull(bad.Json["errors"]!["countries"]);
        Assert.NotNull(bad.Json["errors"]!["caps.perCountry"]);
        Assert.NotNull(bad.Json["errors"]!["guard.mode"]);
        Assert.Equal("CH", (await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection")).Json["countries"]!["deny"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Client(await _client.CreateKeyAsync("\"2fa:manage\"")).GetJsonAsync($"/opentfa/v1/applications/{app}/protection")).Status);
    }
}

/// <summary>The pumping guard against a synthetic attack, with a fake clock.</summary>
public sealed class PumpingGuardTests
{
    private const string Guard = """{"guard":{"enabled":true,"mode":"enforce","prefixDigits":6,"window":"10m","baselineWindow":"24h","minimumSends":20,"jumpRatio":5,"conversionFloor":0.1,"coolDown":"1h"}}""";

    private static async Task<(TestServer Server, FakeTimeProvider Time, HttpClient Client, string App, string Template)> StartWithBaselineAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
        TestServer server = await TestServer.StartAsync(time: time);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", Guard)).Status);

        // Yesterday's normal traffic: 60 logins spread over 20 prefixes, each verified.
        for (int i = 0; i < 60; i++)
        {
            string to = $"41794{i % 20:D2}{i:D4}";
            string pinId = await client.SendPinOkAsync(app, template, to);
            Assert.True((await client.VerifyAsync(pinId, await server.Deliveries.WaitForPinAsync(to))).Json["verified"]!.GetValue<bool>());
            time.Advance(TimeSpan.FromMinutes(10));
        }

        time.Advance(TimeSpan.FromHours(2));
        return (server, time, client, app, template);
    }

    [Fact]
    public async Task PumpingBurst_ToOnePrefixWithoutVerifications_IsBlockedWithinItsFirstMinute()
    {
        (TestServer server, FakeTimeProvider time, HttpClient client, string app, string template) = await StartWithBaselineAsync();
        await using TestServer _ = server;

        int accepted = 0;
        Reply? blocked = null;
        for (int i = 0; i < 60 && blocked is null; i++)
        {
            Reply reply = await client.SendPinAsync(app, template, $"417999{i:D5}");
            if (reply.Status == HttpStatusCode.OK)
            {
                accepted++;
            }
            else
            {
                blocked = reply;
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.NotNull(blocked);
        Assert.Equal(HttpStatusCode.Forbidden, blocked.Status);
        Assert.Contains("pumping guard", blocked.ServiceException["text"]!.GetValue<string>());
        Assert.True(accepted <= 22, $"{accepted} sends got through before the block");
        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41794051234")).Status);
        Reply blocks = await client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/blocks");
        Assert.Equal("417999", blocks.Json[0]!["prefix"]!.GetValue<string>());

        time.Advance(TimeSpan.FromHours(1));
        Assert.Empty((await client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/blocks")).Json.AsArray());
    }

    [Fact]
    public async Task LegitimateSpike_WithNormalConversion_IsNotBlocked()
    {
        (TestServer server, FakeTimeProvider time, HttpClient client, string app, string template) = await StartWithBaselineAsync();
        await using TestServer _ = server;

        for (int i = 0; i < 60; i++)
        {
            string to = $"417888{i:D5}";
            Reply reply = await client.SendPinAsync(app, template, to);
            Assert.True(reply.Status == HttpStatusCode.OK, $"send {i}: {reply}");
            if (i % 4 != 3)
            {
                await client.VerifyAsync(reply.Str("pinId"), await server.Deliveries.WaitForPinAsync(to));
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty((await client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/blocks")).Json.AsArray());
    }
}
