using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    private static readonly TimeSpan InFlight = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Idempotency_FirstUseStarts_SecondSeesItInFlight_ThenTheAnswer()
    {
        byte[] body = [1, 2, 3];
        Assert.IsType<IdempotencyBegin.Started>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k1", body, T0, InFlight, Ct));
        Assert.IsType<IdempotencyBegin.InFlight>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k1", body, T0.AddSeconds(1), InFlight, Ct));

        await Idempotency.CompleteIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k1", 200, "{\"pinId\":\"X\"}"u8.ToArray(), T0.AddHours(24), Ct);

        var done = Assert.IsType<IdempotencyBegin.Completed>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k1", body, T0.AddHours(1), InFlight, Ct));
        Assert.Equal(200, done.Status);
        Assert.Equal("{\"pinId\":\"X\"}"u8.ToArray(), done.Body);
        Assert.IsType<IdempotencyBegin.Mismatch>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k1", [9], T0.AddHours(1), InFlight, Ct));
        Assert.IsType<IdempotencyBegin.Started>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k1", [9], T0.AddHours(25), InFlight, Ct));
    }

    [Fact]
    public async Task Idempotency_KeysAreScopedPerTenantAndEndpoint_AndAbandonFreesThem()
    {
        byte[] body = [1];
        Assert.IsType<IdempotencyBegin.Started>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k", body, T0, InFlight, Ct));
        Assert.IsType<IdempotencyBegin.Started>(await Idempotency.BeginIdempotentAsync("tenant-b", "POST /2fa/2/pin", "k", body, T0, InFlight, Ct));
        Assert.IsType<IdempotencyBegin.Started>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin/voice", "k", body, T0, InFlight, Ct));

        await Idempotency.AbandonIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k", Ct);
        Assert.IsType<IdempotencyBegin.Started>(await Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "k", [2], T0.AddSeconds(1), InFlight, Ct));
        Assert.IsType<IdempotencyBegin.Started>(await Idempotency.BeginIdempotentAsync("tenant-b", "POST /2fa/2/pin", "k", body, T0.AddMinutes(2), InFlight, Ct));
    }

    [Fact]
    public async Task Idempotency_ManyConcurrentFirstUses_ExactlyOneStarts()
    {
        IdempotencyBegin[] results = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            Task.Run(() => Idempotency.BeginIdempotentAsync("tenant-a", "POST /2fa/2/pin", "race", [7], T0, InFlight, Ct))));

        Assert.Single(results, r => r is IdempotencyBegin.Started);
        Assert.Equal(29, results.Count(r => r is IdempotencyBegin.InFlight));
    }
}
