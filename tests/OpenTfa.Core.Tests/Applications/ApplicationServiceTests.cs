using System.Text.RegularExpressions;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Tests.Services;

namespace OpenTfa.Core.Tests.Applications;

public sealed partial class ApplicationServiceTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";

    private static readonly ConfigurationInput NoConfiguration = new(null, null, null, null, null, null);

    private SqliteCore _core = null!;
    private ApplicationService _service = null!;

    public async Task InitializeAsync()
    {
        _core = await SqliteCore.StartAsync();
        _service = _core.Applications;
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [GeneratedRegex("^[0-9A-F]{32}$")]
    private static partial Regex UpperHex32();

    private async Task<Application> CreateAsync(ApplicationInput input)
    {
        Result<Application> result = await _service.CreateAsync(Tenant, input, CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error?.Text);
        return result.Value!;
    }

    private static IReadOnlyDictionary<string, string[]> FieldErrors(Result<Application> result)
    {
        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.BadRequest, result.Error!.Kind);
        return result.Error.ValidationErrors!;
    }

    [Fact]
    public async Task Create_ConfigurationOmitted_AppliesDefaults()
    {
        Application application = await CreateAsync(new ApplicationInput("Login", null, null));

        Assert.Equal(new ApplicationSettings(true, 10, "15m", "10000/1d", "3/1d", "1/3s"), application.Settings);
        Assert.Equal(ApplicationSettings.Defaults, application.Settings);
        Assert.True(application.Enabled);
        Assert.Equal("Login", application.Name);
        Assert.Equal(Tenant, application.TenantId);
        Assert.Matches(UpperHex32(), application.Id);
        Assert.Equal(_core.Time.GetUtcNow(), application.CreatedAt);
        Assert.Equal(_core.Time.GetUtcNow(), application.UpdatedAt);
        Assert.Equal(application, await _core.Store.Applications.GetApplicationAsync(Tenant, application.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Create_EmptyConfigurationObject_AppliesDefaults()
    {
        Application application = await CreateAsync(new ApplicationInput("Login", true, NoConfiguration));

        Assert.Equal(ApplicationSettings.Defaults, application.Settings);
    }

    [Fact]
    public async Task Create_SomeConfigurationFields_KeepsThemAndDefaultsTheRest()
    {
        Application application = await CreateAsync(new ApplicationInput("Login", false,
            new ConfigurationInput(false, 5, "2h", null, "5/1h", null)));

        Assert.Equal(new ApplicationSettings(false, 5, "2h", "10000/1d", "5/1h", "1/3s"), application.Settings);
        Assert.False(application.Enabled);
        Assert.Equal(TimeSpan.FromHours(2), application.Settings.PinTtl);
        Assert.Equal(5, application.Settings.SendPerPhoneNumber.Count);
    }

    [Fact]
    public async Task Create_NameWithSurroundingSpaces_IsTrimmed()
    {
        Application application = await CreateAsync(new ApplicationInput("  Login  ", null, null));

        Assert.Equal("Login", application.Name);
    }

    [Fact]
    public async Task Create_EveryFieldInvalid_ReportsEachWithItsDottedPathAtOnce()
    {
        Result<Application> result = await _service.CreateAsync(Tenant, new ApplicationInput(" ", null,
            new ConfigurationInput(null, 0, "0m", "0/1d", "3/", "1/2d")), CancellationToken.None);

        IReadOnlyDictionary<string, string[]> errors = FieldErrors(result);
        Assert.Equal(
            [
                "configuration.pinAttempts",
                "configuration.pinTimeToLive",
                "configuration.sendPinPerApplicationLimit",
                "configuration.sendPinPerPhoneNumberLimit",
                "configuration.verifyPinLimit",
                "name",
            ],
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("was 0", errors["configuration.pinAttempts"][0]);
        Assert.Contains("'0m'", errors["configuration.pinTimeToLive"][0]);
        Assert.Contains("'0/1d'", errors["configuration.sendPinPerApplicationLimit"][0]);
        Assert.Contains("'3/'", errors["configuration.sendPinPerPhoneNumberLimit"][0]);
        Assert.Contains("must not exceed one day", errors["configuration.verifyPinLimit"][0]);
        Assert.StartsWith("Bad request: ", result.Error!.Text);
        Assert.Empty(await _core.Store.Applications.ListApplicationsAsync(Tenant, CancellationToken.None));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task Create_PinAttemptsAtTheBounds_IsAccepted(int attempts)
    {
        Application application = await CreateAsync(new ApplicationInput("Login", null,
            NoConfiguration with { PinAttempts = attempts }));

        Assert.Equal(attempts, application.Settings.PinAttempts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task Create_PinAttemptsOutOfBounds_IsRefused(int attempts)
    {
        Result<Application> result = await _service.CreateAsync(Tenant, new ApplicationInput("Login", null,
            NoConfiguration with { PinAttempts = attempts }), CancellationToken.None);

        Assert.Equal($"must be between 1 and 1000, was {attempts}", Assert.Single(FieldErrors(result)["configuration.pinAttempts"]));
    }

    [Theory]
    [InlineData("365d")]
    [InlineData("1ms")]
    [InlineData("m")]
    public async Task Create_ValidTimeToLive_IsKeptAsGiven(string ttl)
    {
        Application application = await CreateAsync(new ApplicationInput("Login", null, NoConfiguration with { PinTimeToLive = ttl }));

        Assert.Equal(ttl, application.Settings.PinTimeToLive);
    }

    [Theory]
    [InlineData("366d")]
    [InlineData("15M")]
    [InlineData("")]
    public async Task Create_InvalidTimeToLive_IsRefused(string ttl)
    {
        Result<Application> result = await _service.CreateAsync(Tenant, new ApplicationInput("Login", null,
            NoConfiguration with { PinTimeToLive = ttl }), CancellationToken.None);

        Assert.Single(FieldErrors(result)["configuration.pinTimeToLive"]);
    }

    [Fact]
    public async Task Create_SendLimitWindowOfOneYear_IsAcceptedButVerifyLimitIsCappedAtOneDay()
    {
        Application application = await CreateAsync(new ApplicationInput("Login", null,
            NoConfiguration with { SendPinPerApplicationLimit = "100000/365d", VerifyPinLimit = "10/1d" }));
        Result<Application> refused = await _service.CreateAsync(Tenant, new ApplicationInput("Login", null,
            NoConfiguration with { VerifyPinLimit = "10/25h" }), CancellationToken.None);

        Assert.Equal(TimeSpan.FromDays(365), application.Settings.SendPerApplication.Window);
        Assert.Equal(["configuration.verifyPinLimit"], FieldErrors(refused).Keys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Log\nin")]
    public async Task Create_BadName_IsRefused(string? name)
    {
        Result<Application> result = await _service.CreateAsync(Tenant, new ApplicationInput(name, null, null), CancellationToken.None);

        Assert.Equal(["name"], FieldErrors(result).Keys);
    }

    [Fact]
    public async Task Create_NameOfMaximumLength_IsAcceptedAndOneMoreIsRefused()
    {
        await CreateAsync(new ApplicationInput(new string('n', 255), null, null));
        Result<Application> result = await _service.CreateAsync(Tenant, new ApplicationInput(new string('n', 256), null, null), CancellationToken.None);

        Assert.Equal("must be at most 255 characters", Assert.Single(FieldErrors(result)["name"]));
    }

    [Fact]
    public async Task Replace_OmittedConfiguration_ResetsToDefaults()
    {
        Application created = await CreateAsync(new ApplicationInput("Login", false,
            new ConfigurationInput(false, 3, "1h", "5/1d", "1/1d", "1/10s")));
        _core.Time.Advance(TimeSpan.FromMinutes(5));

        Result<Application> replaced = await _service.ReplaceAsync(Tenant, created.Id, new ApplicationInput("Login v2", null, null), CancellationToken.None);

        Assert.True(replaced.IsSuccess, replaced.Error?.Text);
        Assert.Equal(ApplicationSettings.Defaults, replaced.Value!.Settings);
        Assert.True(replaced.Value.Enabled);
        Assert.Equal("Login v2", replaced.Value.Name);
        Assert.Equal(created.Id, replaced.Value.Id);
        Assert.Equal(created.CreatedAt, replaced.Value.CreatedAt);
        Assert.Equal(_core.Time.GetUtcNow(), replaced.Value.UpdatedAt);
        Assert.Equal(replaced.Value, await _core.Store.Applications.GetApplicationAsync(Tenant, created.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Replace_InvalidInput_LeavesTheStoredApplicationUnchanged()
    {
        Application created = await CreateAsync(new ApplicationInput("Login", null, null));

        Result<Application> result = await _service.ReplaceAsync(Tenant, created.Id,
            new ApplicationInput("Login", null, NoConfiguration with { PinAttempts = 0 }), CancellationToken.None);

        Assert.Equal(["configuration.pinAttempts"], FieldErrors(result).Keys);
        Assert.Equal(created, await _core.Store.Applications.GetApplicationAsync(Tenant, created.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Replace_UnknownApplication_IsNotFound()
    {
        Result<Application> result = await _service.ReplaceAsync(Tenant, "0123456789ABCDEF0123456789ABCDEF", new ApplicationInput("Login", null, null), CancellationToken.None);

        Assert.Equal(ErrorKind.NotFound, result.Error!.Kind);
        Assert.Equal(ErrorTexts.ApplicationNotFound, result.Error.Text);
    }

    [Fact]
    public async Task GetAndReplace_AnotherTenantsApplication_IsNotFound()
    {
        Application created = await CreateAsync(new ApplicationInput("Login", null, null));

        Result<Application> got = await _service.GetAsync("tenant-b", created.Id, CancellationToken.None);
        Result<Application> replaced = await _service.ReplaceAsync("tenant-b", created.Id, new ApplicationInput("Mine", null, null), CancellationToken.None);

        Assert.Equal(ErrorKind.NotFound, got.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, replaced.Error!.Kind);
        Assert.Equal(created, await _core.Store.Applications.GetApplicationAsync(Tenant, created.Id, CancellationToken.None));
    }

    [Fact]
    public async Task List_ShowsOnlyTheTenantsOwnApplications()
    {
        Application own = await CreateAsync(new ApplicationInput("Login", null, null));
        await _service.CreateAsync("tenant-b", new ApplicationInput("Other", null, null), CancellationToken.None);

        Assert.Equal([own], await _service.ListAsync(Tenant, CancellationToken.None));
    }
}
