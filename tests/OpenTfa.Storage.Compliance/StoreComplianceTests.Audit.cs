using OpenTfa.Core.Observability;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    private static AuditEntry NewAudit(string tenant, DateTimeOffset at, string action = "application.created") =>
        new(0, at, tenant, "operator", "key-1", action, "application", NewId(), "details");

    [Fact]
    public async Task Audit_AppendGivesRandomIds_AndReadsBackEveryField()
    {
        AuditEntry first = await Audit.AppendAuditAsync(NewAudit("tenant-a", T0), Ct);
        AuditEntry second = await Audit.AppendAuditAsync(NewAudit("tenant-a", T0.AddSeconds(1)) with { TargetId = null, Details = null }, Ct);

        Assert.InRange(first.Id, 1, Ids.MaxNumeric);
        Assert.True(Math.Abs(second.Id - first.Id) > 1_000_000, $"{first.Id} then {second.Id}: a counter, not random ids");
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

    [Fact]
    public async Task Audit_PagingByTheLastIdSeen_ReturnsEveryEntryOnceNewestFirst()
    {
        var appended = new List<long>();
        for (int i = 0; i < 25; i++)
        {
            appended.Add((await Audit.AppendAuditAsync(NewAudit(i % 3 == 0 ? "tenant-b" : "tenant-a", T0.AddSeconds(i)), Ct)).Id);
        }

        var seen = new List<long>();
        long? before = null;
        while (true)
        {
            IReadOnlyList<AuditEntry> page = await Audit.ListAuditAsync(new AuditQuery(null, null, null, before, 4), Ct);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(e => e.Id));
            before = page[^1].Id;
        }

        Assert.Equal(Enumerable.Reverse(appended), seen);
    }
}
