using System.Security.Cryptography;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Templates;

namespace OpenTfa.Storage.Compliance;

/// <summary>
/// The behaviour every storage provider must have. A provider's test project subclasses this
/// class and implements <see cref="CreateStoreAsync"/>; every test then runs against that
/// provider. Each test gets its own store from <see cref="CreateStoreAsync"/>, which must be
/// empty and initialized (some tests look at the whole store: the first key, due messages, pruning).
/// Times are whole milliseconds: a store may keep no finer precision than that.
/// </summary>
public abstract partial class StoreComplianceTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected static readonly RetentionPolicy Retention = new(TimeSpan.FromHours(24), TimeSpan.FromDays(30));

    protected static readonly SecretProtector Protector =
        new(new EncryptionKeyRing([new EncryptionKey("test-key", RandomNumberGenerator.GetBytes(32))]));

    private StoreUnderTest? _store;

    protected StoreUnderTest Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    protected ITenantStore Tenants => Store.Tenants;

    protected IApplicationStore Applications => Store.Applications;

    protected IIdempotencyStore Idempotency => Store.Idempotency;

    protected IProtectionStore Protection => Store.Protection;

    protected IPinStore Pins => Store.Pins;

    protected IOutboxStore Outbox => Store.Outbox;

    protected IStoreMaintenance Maintenance => Store.Maintenance;

    protected IWebhookStore Webhooks => Store.Webhooks;

    protected IAuditStore Audit => Store.Audit;

    protected IAnalyticsStore Analytics => Store.Analytics;

    protected ITwilioStore Twilio => Store.Twilio;

    protected IWorkflowStore Workflows => Store.Workflows;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty, initialized store; disposed after the test.</summary>
    protected abstract Task<StoreUnderTest> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected static string NewId() => Ids.New();

    protected static LimitCheck SendPerDestination(string applicationId, string destination, string limit) =>
        LimitKeys.SendPerDestination(applicationId, destination, RateLimit.Parse(limit, DurationFormat.OneYear), limit);

    protected static LimitCheck SendPerApplication(string applicationId, string limit) =>
        LimitKeys.SendPerApplication(applicationId, RateLimit.Parse(limit, DurationFormat.OneYear), limit);

    protected static LimitCheck VerifyPerDestination(string applicationId, string destination, string limit) =>
        LimitKeys.VerifyPerDestination(applicationId, destination, RateLimit.Parse(limit, TimeSpan.FromDays(1)), limit);

    protected static LimitCheck[] SendLimits(PinRecord pin, string perApplication = "10000/1d", string perDestination = "1000/1d") =>
        [SendPerApplication(pin.ApplicationId, perApplication), SendPerDestination(pin.ApplicationId, pin.Destination, perDestination)];

    /// <summary>A verify whose candidate is compared, inside the store step, with the PIN as the step read it.</summary>
    protected static VerifyOperation Verify(PinRecord pin, string candidate, DateTimeOffset now, bool allowMultiple = true, string limit = "1000/1d", int? failureCap = null) =>
        new(pin.TenantId, pin.Id, now, (stored, _) => ValueTask.FromResult(Result<VerifyTerms>.Ok(
            new VerifyTerms(Protector.Matches(stored.Id, stored.Pin, candidate), allowMultiple, VerifyPerDestination(stored.ApplicationId, stored.Destination, limit), failureCap))));

    protected static ResendOperation Resend(PinRecord pin, DateTimeOffset now, params LimitCheck[] limits) =>
        new(pin.TenantId, pin.Id, NewMessage(pin, now), limits.Length == 0 ? SendLimits(pin) : limits, now);

    protected static PinRecord NewPin(
        string tenantId,
        string applicationId,
        string destination = "41793026727",
        DateTimeOffset? createdAt = null,
        TimeSpan? ttl = null,
        int attempts = 5,
        string value = "1234",
        bool sent = true,
        ChannelKind kind = ChannelKind.Sms)
    {
        string id = NewId();
        DateTimeOffset created = createdAt ?? T0;
        return new PinRecord(id, tenantId, applicationId, NewId(), kind, destination, Protector.Seal(id, value), created,
            created + (ttl ?? TimeSpan.FromMinutes(15)), attempts, sent,
            PlaceholdersJson: """{"name":"Ada"}""", From: "OpenTfa");
    }

    protected static OutboxMessage NewMessage(PinRecord pin, DateTimeOffset now, string text = "Your PIN is 1234")
    {
        string id = NewId();
        return new OutboxMessage(id, pin.Id, pin.TenantId, pin.ApplicationId, pin.Kind, pin.Destination, pin.From, Protector.Seal(id, text), now, pin.ExpiresAt);
    }

    /// <summary>Issues a PIN (with its message when <paramref name="withMessage"/>) under generous limits; asserts it was accepted.</summary>
    protected async Task<(PinRecord Pin, OutboxMessage? Message)> IssueAsync(PinRecord pin, bool withMessage = true, DateTimeOffset? now = null)
    {
        OutboxMessage? message = withMessage ? NewMessage(pin, now ?? pin.CreatedAt) : null;
        LimitRefusal? refusal = await Pins.IssuePinAsync(pin, message, SendLimits(pin), now ?? pin.CreatedAt, Ct);
        Assert.Null(refusal);
        return (pin, message);
    }

    protected async Task<Application> CreateApplicationAsync(string tenantId, DateTimeOffset? at = null, string name = "Shop")
    {
        DateTimeOffset created = at ?? T0;
        var application = new Application(NewId(), tenantId, name, true, ApplicationSettings.Defaults, created, created);
        await Applications.CreateApplicationAsync(application, Ct);
        return application;
    }

    protected static MessageTemplate NewTextTemplate(string tenantId, string applicationId, DateTimeOffset? at = null) =>
        new(NewId(), tenantId, applicationId, TemplateKind.Text, PinType.Numeric, 6, "Your PIN is {{pin}}", "en", "ServiceSMS",
            "1#", 1.25, "Joanna", """{"indiaDlt":{"contentTemplateId":"1","principalEntityId":"2"}}""", null, null, null, at ?? T0, at ?? T0);

    protected static MessageTemplate NewEmailTemplate(string tenantId, string applicationId, DateTimeOffset? at = null) =>
        new(NewId(), tenantId, applicationId, TemplateKind.Email, PinType.Alphanumeric, 8, null, null, null, null, null, null, null,
            1234567890123L, "security@example.com", "landing-1", at ?? T0, at ?? T0);

    protected static ApiKey NewKey(string tenantId, DateTimeOffset? at = null, params string[] scopes)
    {
        (string id, string clear) = ApiKeyFormat.Generate();
        DateTimeOffset created = at ?? T0;
        return new ApiKey(id, tenantId, "ci key", ApiKeyFormat.Hash(clear), scopes.Length == 0 ? Scopes.All : scopes, created, created.AddDays(90), null, null);
    }

    /// <summary>Starts <paramref name="count"/> operations on the thread pool at once and waits for all of them.</summary>
    public static async Task<T[]> RunConcurrentlyAsync<T>(int count, Func<int, Task<T>> operation)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<T>[] tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            return await operation(i);
        })).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }

    protected static void AssertSameKey(ApiKey expected, ApiKey? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.TenantId, actual.TenantId);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Hash, actual.Hash);
        Assert.Equal(expected.Scopes, actual.Scopes);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.ExpiresAt, actual.ExpiresAt);
        Assert.Equal(expected.LastUsedAt, actual.LastUsedAt);
        Assert.Equal(expected.RevokedAt, actual.RevokedAt);
    }

    protected static void AssertSamePin(PinRecord expected, PinRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Pin = default }, actual with { Pin = default });
        Assert.Equal(expected.Pin.KeyId, actual.Pin.KeyId);
        Assert.Equal(expected.Pin.Data, actual.Pin.Data);
    }
}
