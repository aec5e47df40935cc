using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Core.Tests.Twilio;

public sealed class TwilioRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sids_RoundTripOpenTfaIds_AndRefuseOtherKinds()
    {
        string id = Ids.New();
        string sid = TwilioSids.Of(TwilioSids.ServicePrefix, id);

        Assert.Matches("^VA[0-9a-f]{32}$", sid);
        Assert.Equal(id, TwilioSids.IdOf(TwilioSids.ServicePrefix, sid));
        Assert.Equal(id, TwilioSids.IdOf(TwilioSids.ServicePrefix, "VA" + id));
        Assert.Null(TwilioSids.IdOf(TwilioSids.VerificationPrefix, sid));
        Assert.Null(TwilioSids.IdOf(TwilioSids.ServicePrefix, "va" + sid[2..]));
        Assert.Null(TwilioSids.IdOf(TwilioSids.ServicePrefix, sid[..33]));
        Assert.Null(TwilioSids.IdOf(TwilioSids.ServicePrefix, sid[..33] + "g"));
        Assert.Null(TwilioSids.IdOf(TwilioSids.ServicePrefix, null));
    }

    [Fact]
    public void AccountAndKeySids_AreStablePerIdAndDistinct()
    {
        Assert.Matches("^AC[0-9a-f]{32}$", TwilioSids.Account("operator"));
        Assert.Equal(TwilioSids.Account("operator"), TwilioSids.Account("operator"));
        Assert.NotEqual(TwilioSids.Account("operator"), TwilioSids.Account("other"));
        Assert.Matches("^SK[0-9a-f]{32}$", TwilioSids.ApiKey("bootstrap"));
        Assert.NotEqual(TwilioSids.Account("x")[2..], TwilioSids.ApiKey("x")[2..]);
    }

    [Theory]
    [InlineData(null, false, false, false, "Your {{friendlyName}} verification code is: {{pin}}")]
    [InlineData("de", false, false, false, "Ihr {{friendlyName}} Verifizierungscode lautet: {{pin}}")]
    [InlineData("pt-BR", false, false, false, "O seu código de verificação {{friendlyName}} é: {{pin}}")]
    [InlineData("ja", false, false, false, "Your {{friendlyName}} verification code is: {{pin}}")]
    [InlineData("en", true, false, false, "Your {{friendlyName}} verification code is: {{pin}}. Amount: {{amount}}. Payee: {{payee}}.")]
    [InlineData("en", false, true, true, "Your {{friendlyName}} verification code is: {{pin}}\nDon't share this code with anyone; our employees will never ask for the code.\n\n{{appHash}}")]
    public void Texts_FollowTheLocaleAndTheOptions(string? locale, bool transaction, bool warning, bool appHash, string expected)
    {
        Assert.Equal(expected, VerificationTexts.Template(locale, transaction, warning, appHash));
    }

    [Theory]
    [InlineData("en", true)]
    [InlineData("pt-BR", true)]
    [InlineData("zh_HK", true)]
    [InlineData("EN", false)]
    [InlineData("english", false)]
    [InlineData("en-", false)]
    public void Locale_HasTwiliosForm(string locale, bool valid)
    {
        Assert.Equal(valid, VerificationTexts.IsLocale(locale));
    }

    [Fact]
    public void Status_NamesEachStateOfAPin()
    {
        PinRecord pin = new(Ids.New(), "t", "a", "m", ChannelKind.Sms, "41793026727", new SealedSecret("k", [1]), T0, T0.AddMinutes(10), 5, true);
        MessageStatus failed = new("m1", pin.Id, "t", ChannelKind.Sms, pin.Destination, MessageState.Failed, 1, T0, T0, null, null, "refused", null);
        MessageStatus sent = failed with { Id = "m2", State = MessageState.Submitted };

        Assert.Equal(VerificationStatus.Pending, TwilioVerifications.StatusOf(pin, [sent], T0));
        Assert.Equal(VerificationStatus.Failed, TwilioVerifications.StatusOf(pin, [failed], T0));
        Assert.Equal(VerificationStatus.Pending, TwilioVerifications.StatusOf(pin, [failed, sent], T0));
        Assert.Equal(VerificationStatus.Approved, TwilioVerifications.StatusOf(pin with { VerifiedAt = T0, Consumed = true }, [sent], T0));
        Assert.Equal(VerificationStatus.Canceled, TwilioVerifications.StatusOf(pin with { CanceledAt = T0, Consumed = true }, [sent], T0));
        Assert.Equal(VerificationStatus.MaxAttemptsReached, TwilioVerifications.StatusOf(pin with { AttemptsRemaining = 0 }, [sent], T0));
        Assert.Equal(VerificationStatus.Expired, TwilioVerifications.StatusOf(pin with { AttemptsRemaining = 0 }, [sent], T0.AddMinutes(10)));
        Assert.Equal(VerificationStatus.Expired, TwilioVerifications.StatusOf(pin, [sent], T0.AddMinutes(10)));
    }
}
