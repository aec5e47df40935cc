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
        EmailBody second = await Store.EmailBodies.CreateEmailBodyAsync(NewBody("tenant-a", "Other"), Ct);

        Assert.True(first.Id > 0);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first, await Store.EmailBodies.GetEmailBodyAsync("tenant-a", first.Id, Ct));
        Assert.Equal([first.Id, second.Id], (await Store.EmailBodies.ListEmailBodiesAsync("tenant-a", Ct)).Select(b => b.Id));
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
