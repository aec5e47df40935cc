using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    [Fact]
    public async Task Initialize_AgainOnAnInitializedStore_KeepsTheData()
    {
        var tenant = new Tenant(NewId(), "Acme", T0);
        await Tenants.CreateTenantAsync(tenant, Ct);

        await Maintenance.InitializeAsync(Ct);

        Assert.Equal(tenant, await Tenants.GetTenantAsync(tenant.Id, Ct));
    }

    [Fact]
    public async Task CheckHealth_OnAWorkingStore_IsHealthy()
    {
        Assert.Equal(StoreHealth.Ok, await Maintenance.CheckHealthAsync(Ct));
    }

    [Fact]
    public async Task CreateTenant_ThenGet_ReturnsIt()
    {
        var tenant = new Tenant(NewId(), "Acme", T0);

        Assert.True(await Tenants.CreateTenantAsync(tenant, Ct));

        Assert.Equal(tenant, await Tenants.GetTenantAsync(tenant.Id, Ct));
        Assert.Null(await Tenants.GetTenantAsync(NewId(), Ct));
    }

    [Fact]
    public async Task CreateTenant_WithAnExistingId_ReturnsFalseAndKeepsTheFirst()
    {
        var tenant = new Tenant(NewId(), "Acme", T0);
        await Tenants.CreateTenantAsync(tenant, Ct);

        Assert.False(await Tenants.CreateTenantAsync(tenant with { Name = "Other", CreatedAt = T0.AddHours(1) }, Ct));

        Assert.Equal(tenant, await Tenants.GetTenantAsync(tenant.Id, Ct));
    }

    [Fact]
    public async Task ListTenants_ReturnsEveryTenantInCreationOrder()
    {
        var second = new Tenant(NewId(), "Second", T0.AddMinutes(2));
        var first = new Tenant(NewId(), "First", T0);
        var third = new Tenant(NewId(), "Third", T0.AddMinutes(5));
        foreach (Tenant tenant in new[] { second, first, third })
        {
            await Tenants.CreateTenantAsync(tenant, Ct);
        }

        Assert.Equal([first, second, third], await Tenants.ListTenantsAsync(Ct));
    }

    [Fact]
    public async Task CreateKey_ThenFind_ReturnsEveryField()
    {
        ApiKey key = NewKey("tenant-a", T0, Scopes.Manage, Scopes.PinSend);

        await Tenants.CreateKeyAsync(key, Ct);

        AssertSameKey(key, await Tenants.FindKeyAsync(key.Id, Ct));
        Assert.Null(await Tenants.FindKeyAsync("0123456789abcdef", Ct));
    }

    [Fact]
    public async Task ListKeys_ForATenant_ReturnsOnlyItsKeysInCreationOrder_AndForNoTenantReturnsAll()
    {
        ApiKey a2 = NewKey("tenant-a", T0.AddMinutes(1));
        ApiKey a1 = NewKey("tenant-a", T0);
        ApiKey b1 = NewKey("tenant-b", T0.AddMinutes(2));
        foreach (ApiKey key in new[] { a2, a1, b1 })
        {
            await Tenants.CreateKeyAsync(key, Ct);
        }

        Assert.Equal([a1.Id, a2.Id], (await Tenants.ListKeysAsync("tenant-a", Ct)).Select(k => k.Id));
        Assert.Equal([b1.Id], (await Tenants.ListKeysAsync("tenant-b", Ct)).Select(k => k.Id));
        Assert.Empty(await Tenants.ListKeysAsync("tenant-c", Ct));
        Assert.Equal([a1.Id, a2.Id, b1.Id], (await Tenants.ListKeysAsync(null, Ct)).Select(k => k.Id));
    }

    [Fact]
    public async Task CreateFirstKey_OnAnEmptyStore_CreatesTheTenantAndKeyOnce()
    {
        var tenant = new Tenant(Tenant.OperatorId, "Operator", T0);
        ApiKey key = NewKey(Tenant.OperatorId, T0);

        Assert.True(await Tenants.CreateFirstKeyAsync(tenant, key, Ct));
        Assert.False(await Tenants.CreateFirstKeyAsync(tenant, NewKey(Tenant.OperatorId, T0.AddMinutes(1)), Ct));

        Assert.Equal(tenant, await Tenants.GetTenantAsync(Tenant.OperatorId, Ct));
        AssertSameKey(key, Assert.Single(await Tenants.ListKeysAsync(null, Ct)));
    }

    [Fact]
    public async Task CreateFirstKey_WhenAnyKeyExists_CreatesNothing()
    {
        await Tenants.CreateKeyAsync(NewKey("tenant-a", T0), Ct);

        Assert.False(await Tenants.CreateFirstKeyAsync(new Tenant(Tenant.OperatorId, "Operator", T0), NewKey(Tenant.OperatorId, T0), Ct));

        Assert.Null(await Tenants.GetTenantAsync(Tenant.OperatorId, Ct));
        Assert.Single(await Tenants.ListKeysAsync(null, Ct));
    }

    [Fact]
    public async Task CreateFirstKey_TenConcurrentCallers_CreateExactlyOneKey()
    {
        var tenant = new Tenant(Tenant.OperatorId, "Operator", T0);
        ApiKey[] keys = Enumerable.Range(0, 10).Select(_ => NewKey(Tenant.OperatorId, T0)).ToArray();

        bool[] created = await RunConcurrentlyAsync(keys.Length, i => Tenants.CreateFirstKeyAsync(tenant, keys[i], Ct));

        Assert.Equal(1, created.Count(c => c));
        ApiKey stored = Assert.Single(await Tenants.ListKeysAsync(null, Ct));
        Assert.Equal(keys[Array.IndexOf(created, true)].Id, stored.Id);
        Assert.Single(await Tenants.ListTenantsAsync(Ct));
    }

    [Fact]
    public async Task RevokeKey_SetsTheRevocationTimeOnce()
    {
        ApiKey key = NewKey("tenant-a", T0);
        await Tenants.CreateKeyAsync(key, Ct);

        ApiKey? revoked = await Tenants.RevokeKeyAsync(key.Id, T0.AddHours(1), Ct);
        ApiKey? again = await Tenants.RevokeKeyAsync(key.Id, T0.AddHours(2), Ct);

        AssertSameKey(key with { RevokedAt = T0.AddHours(1) }, revoked);
        AssertSameKey(key with { RevokedAt = T0.AddHours(1) }, again);
        AssertSameKey(key with { RevokedAt = T0.AddHours(1) }, await Tenants.FindKeyAsync(key.Id, Ct));
        Assert.False((await Tenants.FindKeyAsync(key.Id, Ct))!.IsUsableAt(T0.AddHours(1)));
    }

    [Fact]
    public async Task RevokeKey_Unknown_ReturnsNull()
    {
        Assert.Null(await Tenants.RevokeKeyAsync("0123456789abcdef", T0, Ct));
    }

    [Fact]
    public async Task TouchKey_RecordsTheLastUse()
    {
        ApiKey key = NewKey("tenant-a", T0);
        await Tenants.CreateKeyAsync(key, Ct);

        await Tenants.TouchKeyAsync(key.Id, T0.AddMinutes(3), Ct);
        await Tenants.TouchKeyAsync(key.Id, T0.AddMinutes(7), Ct);

        AssertSameKey(key with { LastUsedAt = T0.AddMinutes(7) }, await Tenants.FindKeyAsync(key.Id, Ct));
    }

    [Fact]
    public async Task TenantSenders_AreKeptPerTenant_ReplacedWhole_AndRemovedByNull()
    {
        string a = NewId(), b = NewId();
        Assert.Null(await Tenants.GetTenantSendersAsync(a, Ct));

        await Tenants.SetTenantSendersAsync(a, """{"sms":["Acme"]}""", T0, Ct);
        await Tenants.SetTenantSendersAsync(b, """{"sms":["Beta"],"email":["@beta.example"]}""", T0, Ct);
        await Tenants.SetTenantSendersAsync(a, """{"email":[]}""", T0.AddMinutes(1), Ct);

        Assert.Equal("""{"email":[]}""", await Tenants.GetTenantSendersAsync(a, Ct));
        Assert.Equal("""{"sms":["Beta"],"email":["@beta.example"]}""", await Tenants.GetTenantSendersAsync(b, Ct));

        await Tenants.SetTenantSendersAsync(a, null, T0.AddMinutes(2), Ct);
        await Tenants.SetTenantSendersAsync(NewId(), null, T0, Ct);

        Assert.Null(await Tenants.GetTenantSendersAsync(a, Ct));
        Assert.NotNull(await Tenants.GetTenantSendersAsync(b, Ct));
    }
}
