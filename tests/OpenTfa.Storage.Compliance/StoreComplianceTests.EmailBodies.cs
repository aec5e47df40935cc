using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    private static EmailBody NewBody(string tenant, string subject = "Your code") =>
        new(0, tenant, "login", subject, "Code {{pin}}", "<p>Code <b>{{pin}}</b></p>", T0, T0);

    [Fact]
    public async Task CreateEmailBody_GivesDistinctPositiveIds_AndGetReturnsEveryField()
    {
        EmailBody first = await Store.EmailBodies.CreateEmailBodyAsync(NewBody("tenant-a"), Ct);
        EmailBody second = await Store.EmailBodies.CreateEmailBodyAsync(NewBody("tenant-a", "Other") with { CreatedAt = T0.AddSeconds(1) }, Ct);

        Assert.InRange(first.Id, 1, Ids.MaxNumeric);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first, await Store.EmailBodies.GetEmailBodyAsync("tenant-a", first.Id, Ct));
        Assert.Equal([first.Id, second.Id], (await Store.EmailBodies.ListEmailBodiesAsync("tenant-a", Ct)).Select(b => b.Id));
    }

    [Fact]
    public async Task CreateEmailBody_IdsAreRandom_NotACounterAcrossTenants()
    {
        long[] ids = new long[20];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = (await Store.EmailBodies.CreateEmailBodyAsync(NewBody(i % 2 == 0 ? "tenant-a" : "tenant-b"), Ct)).Id;
        }

        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 1, Ids.MaxNumeric));
        // A counter would give neighbours; twenty random ids below 2^52 never sit that close.
        Assert.All(ids.Zip(ids.Skip(1)), pair => Assert.True(Math.Abs(pair.First - pair.Second) > 1_000_000, $"{pair.First} then {pair.Second}"));
    }

    [Fact]
    public async Task EmailBodies_OfAnotherTenant_AreInvisibleAndUnchangeable()
    {
        EmailBody body = await Store.EmailBodies.CreateEmailBodyAsync(NewBody("tenant-a"), Ct);

        Assert.Null(await Store.EmailBodies.GetEmailBodyAsync("tenant-b", body.Id, Ct));
        Assert.Empty(await Store.EmailBodies.ListEmailBodiesAsync("tenant-b", Ct));
        Assert.False(await Store.EmailBodies.UpdateEmailBodyAsync(body with { TenantId = "tenant-b", Subject = "x" }, Ct));
        Assert.Equal("Your code", (await Store.EmailBodies.GetEmailBodyAsync("tenant-a", body.Id, Ct))!.Subject);
    }

    [Fact]
    public async Task UpdateEmailBody_ChangesItsFields()
    {
        EmailBody body = await Store.EmailBodies.CreateEmailBodyAsync(NewBody("tenant-a"), Ct);
        EmailBody changed = body with { Subject = "New", Html = null, UpdatedAt = T0.AddMinutes(1) };

        Assert.True(await Store.EmailBodies.UpdateEmailBodyAsync(changed, Ct));
        Assert.Equal(changed, await Store.EmailBodies.GetEmailBodyAsync("tenant-a", body.Id, Ct));
    }
}
