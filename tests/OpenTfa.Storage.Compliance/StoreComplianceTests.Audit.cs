using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    private IAuditStore Audit => (IAuditStore)Store.Raw;

    private static AuditEntry NewAudit(string tenant, DateTimeOffset at, string action = "application.created") =>
        new(0, at, tenant, "operator", "key-1", action, "application", NewId(), "details");

    [Fact]
    public async Task Audit_AppendGivesIncreasingIds_AndReadsBackEveryField()
    {
        AuditEntry first = await Audit.AppendAuditAsync(NewAudit("tenant-a", T0), Ct);
        AuditEntry second = await Audit.AppendAuditAsync(NewAudit("tenant-a", T0.AddSeconds(1)) with { TargetId = null, Details = null }, Ct);

        Assert.True(first.Id > 0);
        Assert.True(second.Id > first.Id);
        Assert.Equal([second, first], await Audit.ListAuditAsync(new AuditQuery("tenant-a", null, null, null, 10), Ct));
    }

    [Fact]
    public async Task Audit_ListFiltersByTenantWindowAndCursor_NewestFirst()
    {
        AuditEntry a1 = await Audit.AppendAuditAsync(NewAudit("tenant-a", T0), Ct);
        AuditEntry b1 = await Audit.AppendAuditAsync(NewAudit("tenant-b", T0.AddMinutes(1)), Ct);
        AuditEntry a2 = await Audit.AppendAuditAsync(NewAudit("tenant-a", T0.AddMinutes(2)), Ct);
        AuditEntry a3 = await Audit.AppendAuditAsync(NewAudit("tenant-a", T0.AddMinutes(3)), Ct);

        Assert.Equal([a3.Id, a2.Id, a1.Id], (await Audit.ListAuditAsync(new AuditQuery("tenant-a", null, null, null, 10), Ct)).Select(e => e.Id));
        Assert.Equal([a3.Id, a2.Id, b1.Id, a1.Id], (await Audit.ListAuditAsync(new AuditQuery(null, null, null, null, 10), Ct)).Select(e => e.Id));
        Assert.Equal([a2.Id], (await Audit.ListAuditAsync(new AuditQuery("tenant-a", T0.AddMinutes(1), T0.AddMinutes(3), null, 10), Ct)).Select(e => e.Id));
        Assert.Equal([a2.Id, a1.Id], (await Audit.ListAuditAsync(new AuditQuery("tenant-a", null, null, a3.Id, 10), Ct)).Select(e => e.Id));
        Assert.Equal([a3.Id], (await Audit.ListAuditAsync(new AuditQuery("tenant-a", null, null, null, 1), Ct)).Select(e => e.Id));
    }
}
