using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// Test numbers are bounded: an expiry at most <c>OpenTfa:Protection:MaxTestNumberLifetime</c>
/// ahead, the fixed PIN sealed at rest and never answered, the number masked unless read with
/// <c>opentfa:pii</c>, and each test number added, changed or removed audited with its masked
/// number and expiry. Checked on SQLite and PostgreSQL.
/// </summary>
public sealed class TestNumberBoundsTests(BothStoresFixture fixture) : IClassFixture<BothStoresFixture>
{
    private static long InDays(double days) => DateTimeOffset.UtcNow.AddDays(days).ToUnixTimeMilliseconds();

    private static async Task<List<JsonNode>> AuditAsync(HttpClient admin, string action, string app) =>
        (await admin.GetJsonAsync("/opentfa/v1/audit?limit=1000")).Json.AsArray()
            .Where(e => e!["action"]!.GetValue<string>() == action && e["targetId"]?.GetValue<string>() == app)
            .Select(e => e!)
            .ToList();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TestNumber_ExpiryBeyondTheMaximum_IsRefusedNamingExpiresAt(string store)
    {
        HttpClient admin = fixture.Server(store).Client();
        (string app, _) = await admin.CreateAppAndTemplateAsync();
        string path = $"/opentfa/v1/applications/{app}/protection";

        Reply tooLong = await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"41793005001","pin":"2468","expiresAt":{{InDays(91)}}}]}""");
        Assert.True(tooLong.Status == HttpStatusCode.BadRequest, tooLong.ToString());
        Assert.Contains("90 days", tooLong.Json["errors"]!["testNumbers.expiresAt"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        Reply year2100 = await admin.PutJsonAsync(path, """{"testNumbers":[{"number":"41793005001","pin":"2468","expiresAt":4102444800000}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, year2100.Status);
        Assert.Empty((await admin.GetJsonAsync(path)).Json["testNumbers"]!.AsArray());

        Reply ok = await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"41793005001","pin":"2468","expiresAt":{{InDays(89)}}}]}""");
        Assert.True(ok.Status == HttpStatusCode.OK, ok.ToString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TestNumber_FixedPin_IsSealedAtRest_NeverAnswered_AndStillVerifies(string store)
    {
        TestServer server = fixture.Server(store);
        HttpClient admin = server.Client();
        (string app, string template) = await admin.CreateAppAndTemplateAsync();
        string path = $"/opentfa/v1/applications/{app}/protection";
        const string Pin = "Q7Z9X4K2W8";

        Reply put = await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"+41 79 300 50 02","pin":"{{Pin}}","expiresAt":{{InDays(10)}}}]}""");
        Assert.True(put.Status == HttpStatusCode.OK, put.ToString());
        Assert.DoesNotContain(Pin, put.ToString(), StringComparison.OrdinalIgnoreCase);

        string? stored = await server.Services.GetRequiredService<IProtectionStore>().GetProtectionPolicyAsync(Tenant.OperatorId, app, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Contains("sealedPin", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Pin, stored, StringComparison.OrdinalIgnoreCase);
        if (store == "sqlite")
        {
            foreach (string file in Directory.GetFiles(server.DataDirectory, "opentfa.db*"))
            {
                byte[] raw = await ReadSharedAsync(file);
                Assert.DoesNotContain(Pin, Encoding.UTF8.GetString(raw), StringComparison.OrdinalIgnoreCase);
            }
        }

        JsonNode listed = (await admin.GetJsonAsync(path)).Json["testNumbers"]![0]!;
        Assert.Null(listed["pin"]);
        Assert.Null(listed["sealedPin"]);

        // A PUT that leaves the PIN out keeps the one already set for that number.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"41793005002","expiresAt":{{InDays(20)}}}]}""")).Status);
        string pinId = (await admin.SendPinAsync(app, template, "41793005002")).Str("pinId");
        Assert.True((await admin.VerifyAsync(pinId, Pin)).Json["verified"]!.GetValue<bool>());

        Reply forged = await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"41793005002","sealedPin":"k1:AAAA","expiresAt":{{InDays(20)}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Equal("is not a field of this object", forged.Json["errors"]!["testNumbers[0].sealedPin"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TestNumbers_AreMaskedOnGet_FullOnlyWithPiiAndAudited(string store)
    {
        TestServer server = fixture.Server(store);
        HttpClient admin = server.Client();
        HttpClient plain = server.Client(await admin.CreateKeyAsync("\"2fa:manage\",\"opentfa:admin\""));
        (string app, _) = await admin.CreateAppAndTemplateAsync();
        string path = $"/opentfa/v1/applications/{app}/protection";
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"41793005003","pin":"1357","expiresAt":{{InDays(5)}}}]}""")).Status);

        Reply masked = await plain.GetJsonAsync(path);
        Assert.Equal("*******5003", masked.Json["testNumbers"]![0]!["number"]!.GetValue<string>());
        Assert.DoesNotContain("41793005003", masked.ToString(), StringComparison.Ordinal);

        Reply refused = await plain.GetJsonAsync(path + "?unmasked=true");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Empty(await AuditAsync(admin, "destination.unmasked", app));

        Reply full = await admin.GetJsonAsync(path + "?unmasked=true");
        Assert.True(full.Status == HttpStatusCode.OK, full.ToString());
        Assert.Equal("41793005003", full.Json["testNumbers"]![0]!["number"]!.GetValue<string>());
        JsonNode read = Assert.Single(await AuditAsync(admin, "destination.unmasked", app));
        Assert.DoesNotContain("41793005003", read.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TestNumberChanges_AreEachAudited_WithTheMaskedNumberAndExpiry(string store)
    {
        HttpClient admin = fixture.Server(store).Client();
        (string app, _) = await admin.CreateAppAndTemplateAsync();
        string path = $"/opentfa/v1/applications/{app}/protection";
        long first = InDays(3);
        long second = InDays(4);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"41793005004","pin":"1111","expiresAt":{{first}}}]}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync(path, $$"""{"testNumbers":[{"number":"41793005004","pin":"2222","expiresAt":{{second}}}]}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync(path, """{"testNumbers":[]}""")).Status);

        JsonNode added = Assert.Single(await AuditAsync(admin, "test_number.added", app));
        JsonNode changed = Assert.Single(await AuditAsync(admin, "test_number.changed", app));
        JsonNode removed = Assert.Single(await AuditAsync(admin, "test_number.removed", app));
        foreach ((JsonNode entry, long expiry) in new[] { (added, first), (changed, second), (removed, second) })
        {
            string details = entry["details"]!.GetValue<string>();
            Assert.Contains("*******5004", details, StringComparison.Ordinal);
            Assert.Contains(expiry.ToString(System.Globalization.CultureInfo.InvariantCulture), details, StringComparison.Ordinal);
            Assert.DoesNotContain("41793005004", entry.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("2222", details, StringComparison.Ordinal);
        }
    }

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
