using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tests.Services;

/// <summary>Protection rules as a send, resend or verify meets them, through <see cref="PinService"/> against the real SQLite store, without HTTP.</summary>
public sealed class ProtectionRulesTests : IAsyncLifetime
{
    private const string Phone = "41793026727";

    private SqliteCore _core = null!;
    private (string ApplicationId, string MessageId) _login;

    public async Task InitializeAsync()
    {
        _core = await SqliteCore.StartAsync();
        _login = await _core.CreateLoginAsync(new ConfigurationInput(true, 200, "15m", "10000/1d", "1000/1d", "1000/1d"));
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    private async Task SetPolicyAsync(ProtectionPolicy policy)
    {
        Result<ProtectionUpdate> set = await _core.Protection.SetAsync(SqliteCore.Tenant, _login.ApplicationId, policy, CancellationToken.None);
        Assert.True(set.IsSuccess, set.Error?.Text);
    }

    private async Task<IReadOnlyList<(string Rule, string Mode)>> RuleEventsAsync() =>
        (await _core.Protection.ListEventsAsync(SqliteCore.Tenant, _login.ApplicationId, DateTimeOffset.UnixEpoch, 100, CancellationToken.None))
            .Select(e => (e.Rule, e.Mode)).ToList();

    [Fact]
    public async Task Send_CountryDeniedInEnforceMode_IsForbiddenAndRecorded()
    {
        await SetPolicyAsync(new ProtectionPolicy { Countries = new ListRule { Deny = ["CH"], Mode = RuleModes.Enforce } });

        Result<SendPinOutcome> result = await _core.SendSmsAsync(_login, Phone);

        Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
        Assert.Contains("CH", result.Error!.Text);
        Assert.EndsWith("(protection rule 'countries')", result.Error.Text);
        Assert.Equal([("countries", RuleModes.Enforce)], await RuleEventsAsync());
    }

    [Fact]
    public async Task Send_CountryDeniedInMonitorMode_IsSentAndRecorded()
    {
        await SetPolicyAsync(new ProtectionPolicy { Countries = new ListRule { Deny = ["CH"], Mode = RuleModes.Monitor } });

        Result<SendPinOutcome> result = await _core.SendSmsAsync(_login, Phone);

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.True(result.Value.Sent);
        Assert.Equal([("countries", RuleModes.Monitor)], await RuleEventsAsync());
    }

    [Fact]
    public async Task Send_ToAnEmailAddress_IsOutsideTheDestinationRules()
    {
        await SetPolicyAsync(new ProtectionPolicy { Countries = new ListRule { Allow = ["CH"], Mode = RuleModes.Enforce } });
        Result<MessageTemplate> email = await _core.Templates.CreateEmailAsync(SqliteCore.Tenant, _login.ApplicationId,
            new EmailTemplateInput((await _core.EmailBodies.CreateAsync(SqliteCore.Tenant, new EmailBodyInput("Login", "Code", "Code {{pin}}", null), CancellationToken.None)).Value!.Id, null, null, null, null),
            CancellationToken.None);

        Result<SendPinOutcome> result = await _core.Pins.SendAsync(SqliteCore.Tenant,
            new SendPinCommand(ChannelKind.Email, _login.ApplicationId, email.Value!.Id, "Jane@Example.com", null, null, false), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Empty(await RuleEventsAsync());
    }

    [Fact]
    public async Task Send_OverAnEnforcedCountryCap_IsRefusedWithRetryAfterAndRecorded()
    {
        await SetPolicyAsync(new ProtectionPolicy { Caps = new CapRule { PerCountry = "1/1h", Mode = RuleModes.Enforce } });
        await _core.SentPinIdAsync(_login, Phone);

        Result<SendPinOutcome> refused = await _core.SendSmsAsync(_login, "41793026728");

        Assert.Equal(ErrorKind.TooManyRequests, refused.Error?.Kind);
        Assert.Equal(TimeSpan.FromHours(1), refused.Error!.RetryAfter);
        Assert.Contains("protection rule 'caps.perCountry'", refused.Error.Text);
        Assert.Equal([("caps.perCountry", RuleModes.Enforce)], await RuleEventsAsync());
    }

    [Fact]
    public async Task Send_OverAMonitoredCountryCap_IsSentAndRecorded()
    {
        await SetPolicyAsync(new ProtectionPolicy { Caps = new CapRule { PerCountry = "1/1h", Mode = RuleModes.Monitor } });
        await _core.SentPinIdAsync(_login, Phone);

        Result<SendPinOutcome> result = await _core.SendSmsAsync(_login, "41793026728");

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Equal([("caps.perCountry", RuleModes.Monitor)], await RuleEventsAsync());
    }

    [Fact]
    public async Task Send_ToAPrefixTheGuardBlocked_IsForbiddenInEnforceModeUntilTheBlockEnds()
    {
        await SetPolicyAsync(new ProtectionPolicy { Guard = new GuardRule { Mode = RuleModes.Enforce } });
        DateTimeOffset now = _core.Time.GetUtcNow();
        await _core.Store.Protection.SetGuardBlockAsync(new GuardBlock(SqliteCore.Tenant, _login.ApplicationId, Phone[..6], now, now + TimeSpan.FromHours(1), "pumping"), CancellationToken.None);

        Result<SendPinOutcome> blocked = await _core.SendSmsAsync(_login, Phone);
        _core.Time.Advance(TimeSpan.FromHours(1));
        Result<SendPinOutcome> after = await _core.SendSmsAsync(_login, Phone);

        Assert.Equal(ErrorKind.Forbidden, blocked.Error?.Kind);
        Assert.Contains("blocked by the pumping guard", blocked.Error!.Text);
        Assert.True(after.IsSuccess, after.Error?.Text);
    }

    [Fact]
    public async Task Send_ToAPrefixTheGuardBlockedInMonitorMode_IsSentAndRecorded()
    {
        await SetPolicyAsync(new ProtectionPolicy { Guard = new GuardRule { Mode = RuleModes.Monitor } });
        DateTimeOffset now = _core.Time.GetUtcNow();
        await _core.Store.Protection.SetGuardBlockAsync(new GuardBlock(SqliteCore.Tenant, _login.ApplicationId, Phone[..6], now, now + TimeSpan.FromHours(1), "pumping"), CancellationToken.None);

        Result<SendPinOutcome> result = await _core.SendSmsAsync(_login, Phone);

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Equal([("guard", RuleModes.Monitor)], await RuleEventsAsync());
    }

    [Fact]
    public async Task Send_ToATestNumber_TakesItsFixedPinUntilItExpires()
    {
        DateTimeOffset expires = _core.Time.GetUtcNow() + TimeSpan.FromHours(1);
        await SetPolicyAsync(new ProtectionPolicy { TestNumbers = [new TestNumber { Number = "+" + Phone, Pin = "246810", ExpiresAt = expires.ToUnixTimeMilliseconds() }] });

        string pinId = await _core.SentPinIdAsync(_login, Phone);
        VerifyPinOutcome verified = await _core.VerifiedAsync(pinId, "246810");
        _core.Time.Advance(TimeSpan.FromHours(1));
        string later = await _core.SentPinIdAsync(_login, Phone);

        Assert.Equal("246810", await _core.ReadPinAsync(pinId));
        Assert.True(verified.Verified);
        Assert.Matches("^[0-9]{4}$", await _core.ReadPinAsync(later));
    }

    [Fact]
    public async Task NistMode_ClampsThePinAndMakesItSingleUse()
    {
        await SetPolicyAsync(new ProtectionPolicy { Nist = true });

        string pinId = await _core.SentPinIdAsync(_login, Phone);
        string pin = await _core.ReadPinAsync(pinId);
        VerifyPinOutcome first = await _core.VerifiedAsync(pinId, pin);
        VerifyPinOutcome second = await _core.VerifiedAsync(pinId, pin);

        Assert.Matches("^[0-9]{6}$", pin);
        Assert.True(first.Verified);
        Assert.Equal((false, PinError.NoMorePinAttempts), (second.Verified, second.Error));
    }

    [Fact]
    public async Task NistMode_AfterTooManyFailures_LocksTheDestinationOutOfVerifyAndResend()
    {
        await SetPolicyAsync(new ProtectionPolicy { Nist = true });
        string pinId = await _core.SentPinIdAsync(_login, Phone);
        string pin = await _core.ReadPinAsync(pinId);
        string wrong = (pin[0] == '0' ? '1' : '0') + pin[1..];
        for (int i = 0; i < NistMode.MaxConsecutiveFailures; i++)
        {
            await _core.VerifyAsync(pinId, wrong);
        }

        VerifyPinOutcome locked = await _core.VerifiedAsync(pinId, pin);
        Result<SendPinOutcome> resend = await _core.Pins.ResendAsync(SqliteCore.Tenant, pinId, ChannelKind.Sms, null, CancellationToken.None);

        Assert.Equal((false, PinError.NoMorePinAttempts, 0), (locked.Verified, locked.Error, locked.AttemptsRemaining));
        Assert.Equal(ErrorKind.Forbidden, resend.Error?.Kind);
        Assert.EndsWith("(protection rule 'nist')", resend.Error!.Text);
        Assert.Single(await _core.Protection.ListLockoutsAsync(SqliteCore.Tenant, _login.ApplicationId, NistMode.MaxConsecutiveFailures, CancellationToken.None));
        Assert.All(await RuleEventsAsync(), e => Assert.Equal(("nist", RuleModes.Enforce), e));
    }
}
