using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Security;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Webhooks;
using OpenTfa.Storage.Sqlite;

namespace OpenTfa.Core.Tests.Services;

/// <summary>
/// Core's services wired as the server wires them, over the real embedded store in a database file
/// of its own, with a fake clock and a log channel that carries every kind. No HTTP.
/// </summary>
public sealed class SqliteCore : IAsyncDisposable
{
    public const string Tenant = "tenant-a";

    private readonly string _directory;

    private SqliteCore(string directory, SqliteStore store, PinOptions pinOptions)
    {
        _directory = directory;
        Store = store;
        Protector = new SecretProtector(new EncryptionKeyRing([new EncryptionKey("k1", RandomNumberGenerator.GetBytes(32))]));
        Protection = new ProtectionService(store.Protection, Protector, Options.Create(new ProtectionOptions()), Time, NullLogger<ProtectionService>.Instance);
        Senders = new SenderService(store.Tenants, Options.Create(pinOptions), Time);
        Applications = new ApplicationService(store.Applications, Time, Protection);
        Templates = new TemplateService(store.Applications, Time, store.EmailBodies, Senders);
        EmailBodies = new EmailBodyService(store.EmailBodies, Time);

        var routes = new RoutingOptions();
        foreach (ChannelKind kind in Enum.GetValues<ChannelKind>())
        {
            routes.For(kind).Add("log");
        }

        var router = new ChannelRouter([new LogChannel("log", TextWriter.Null)], Options.Create(routes));
        var events = new OpenTfaEvents(store.Webhooks, new WebhookSubscriptions(store.Webhooks, Time), new WebhookSignal(), Metrics, Time, NullLogger<OpenTfaEvents>.Instance);
        Pins = new PinService(store.Applications, store.Pins,
            new SendValidator(store.Applications, store.Pins, Protection, Senders, router, events, Options.Create(pinOptions), Time),
            new VerifyValidator(store.Applications, Protection, Protector),
            new PinMessageBuilder(store.EmailBodies, Protector, Options.Create(pinOptions)),
            new PinEvents(Protection, events, Metrics),
            new OutboxSignal(), Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public OpenTfaMetrics Metrics { get; } = new();

    public SqliteStore Store { get; }

    public SecretProtector Protector { get; }

    public ProtectionService Protection { get; }

    public SenderService Senders { get; }

    public ApplicationService Applications { get; }

    public TemplateService Templates { get; }

    public EmailBodyService EmailBodies { get; }

    public PinService Pins { get; }

    /// <summary>An application with the given configuration and a NUMERIC SMS template of <paramref name="pinLength"/> digits.</summary>
    public async Task<(string ApplicationId, string MessageId)> CreateLoginAsync(ConfigurationInput? configuration = null, int pinLength = 4)
    {
        Result<Application> application = await Applications.CreateAsync(Tenant, new ApplicationInput("Login", true, configuration), CancellationToken.None);
        Assert.True(application.IsSuccess, application.Error?.Text);
        Result<MessageTemplate> template = await Templates.CreateTextAsync(Tenant, application.Value.Id,
            new TextTemplateInput("Your code is {{pin}}", "NUMERIC", pinLength, null, null, null, null, null, null), CancellationToken.None);
        Assert.True(template.IsSuccess, template.Error?.Text);
        return (application.Value.Id, template.Value.Id);
    }

    public Task<Result<SendPinOutcome>> SendSmsAsync((string ApplicationId, string MessageId) login, string to, bool numberCheck = false) =>
        Pins.SendAsync(Tenant, new SendPinCommand(ChannelKind.Sms, login.ApplicationId, login.MessageId, to, null, null, numberCheck), CancellationToken.None);

    /// <summary>Sends a PIN that must be accepted and returns its id.</summary>
    public async Task<string> SentPinIdAsync((string ApplicationId, string MessageId) login, string to)
    {
        Result<SendPinOutcome> sent = await SendSmsAsync(login, to);
        Assert.True(sent.IsSuccess, sent.Error?.Text);
        return sent.Value.PinId;
    }

    /// <summary>The PIN as the user would read it from the message: opened from the store.</summary>
    public async Task<string> ReadPinAsync(string pinId)
    {
        PinRecord? pin = await Store.Pins.GetPinAsync(Tenant, pinId, CancellationToken.None);
        Assert.NotNull(pin);
        return Protector.Open(pin.Id, pin.Pin);
    }

    public Task<Result<VerifyPinOutcome>> VerifyAsync(string pinId, string candidate) =>
        Pins.VerifyAsync(Tenant, pinId, candidate, CancellationToken.None);

    /// <summary>A verify that must be answered (200 on the wire), whatever it decided.</summary>
    public async Task<VerifyPinOutcome> VerifiedAsync(string pinId, string candidate)
    {
        Result<VerifyPinOutcome> result = await VerifyAsync(pinId, candidate);
        Assert.True(result.IsSuccess, result.Error?.Text);
        return result.Value;
    }

    public static async Task<SqliteCore> StartAsync(PinOptions? pinOptions = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "opentfa-core-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var store = new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(directory, "opentfa.db") });
        await store.Maintenance.InitializeAsync(CancellationToken.None);
        return new SqliteCore(directory, store, pinOptions ?? new PinOptions());
    }

    public ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
