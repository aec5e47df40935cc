using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tests.Services;

namespace OpenTfa.Core.Tests.Templates;

public sealed class TemplateServiceTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private const string ApplicationId = "0123456789ABCDEF0123456789ABCDEF";

    private static readonly TextTemplateInput Minimal = new("Your pin is {{pin}}", "NUMERIC", null, null, null, null, null, null, null);
    private static readonly TextTemplateInput Nothing = new(null, null, null, null, null, null, null, null, null);

    private SqliteCore _core = null!;
    private long _bodyId;
    private TemplateService _service = null!;

    public async Task InitializeAsync()
    {
        _core = await SqliteCore.StartAsync();
        _service = _core.Templates;
        DateTimeOffset now = _core.Time.GetUtcNow();
        await _core.Store.Applications.CreateApplicationAsync(new Application(ApplicationId, Tenant, "Login", true, ApplicationSettings.Defaults, now, now), CancellationToken.None);
        Result<EmailBody> body = await _core.EmailBodies.CreateAsync(Tenant, new EmailBodyInput("Login", "Your code", "Code {{pin}}", null), CancellationToken.None);
        _bodyId = body.Value!.Id;
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    private Task<Result<MessageTemplate>> CreateTextAsync(TextTemplateInput input) =>
        _service.CreateTextAsync(Tenant, ApplicationId, input, CancellationToken.None);

    private async Task<MessageTemplate> CreatedTextAsync(TextTemplateInput input)
    {
        Result<MessageTemplate> result = await CreateTextAsync(input);
        Assert.True(result.IsSuccess, result.Error?.Text);
        return result.Value!;
    }

    private static IReadOnlyDictionary<string, string[]> FieldErrors(Result<MessageTemplate> result)
    {
        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.BadRequest, result.Error!.Kind);
        return result.Error.ValidationErrors!;
    }

    [Fact]
    public async Task CreateText_MessageTextAndPinTypeOnly_AppliesDefaults()
    {
        MessageTemplate template = await CreatedTextAsync(Minimal);

        Assert.Equal(TemplateKind.Text, template.Kind);
        Assert.Equal("Your pin is {{pin}}", template.MessageText);
        Assert.Equal(PinType.Numeric, template.PinType);
        Assert.Equal(4, template.PinLength);
        Assert.Equal("en", template.Language);
        Assert.Null(template.SenderId);
        Assert.Equal(Tenant, template.TenantId);
        Assert.Equal(ApplicationId, template.ApplicationId);
        Assert.Equal(_core.Time.GetUtcNow(), template.CreatedAt);
        Assert.Equal(template, await _core.Store.Applications.GetTemplateAsync(Tenant, ApplicationId, template.Id, CancellationToken.None));
    }

    [Fact]
    public async Task CreateText_MessageTextAndPinTypeMissing_ReportsBoth()
    {
        Result<MessageTemplate> result = await CreateTextAsync(Nothing);

        IReadOnlyDictionary<string, string[]> errors = FieldErrors(result);
        Assert.Equal(["messageText", "pinType"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("NUMERIC, ALPHA, HEX, ALPHANUMERIC", errors["pinType"][0]);
        Assert.Empty(await _core.Store.Applications.ListTemplatesAsync(Tenant, ApplicationId, CancellationToken.None));
    }

    [Fact]
    public async Task CreateText_PinTypeMissing_IsRefused()
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { PinType = null });

        Assert.Equal(["pinType"], FieldErrors(result).Keys);
    }

    [Theory]
    [InlineData("Your code is 1234")]
    [InlineData("Your code is {{PIN}}")]
    [InlineData("Your code is {{ pin }}")]
    [InlineData("Your code is {pin}")]
    public async Task CreateText_MessageTextWithoutPinPlaceholder_IsRefused(string text)
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { MessageText = text });

        Assert.Equal("must contain the {{pin}} placeholder", Assert.Single(FieldErrors(result)["messageText"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task CreateText_BlankMessageText_IsRefused(string text)
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { MessageText = text });

        Assert.Equal("must not be empty", Assert.Single(FieldErrors(result)["messageText"]));
    }

    [Fact]
    public async Task CreateText_MessageTextAtTheLengthCap_IsAcceptedAndOneMoreIsRefused()
    {
        string atCap = "{{pin}}" + new string('x', TemplateService.MaxMessageTextLength - 7);

        await CreatedTextAsync(Minimal with { MessageText = atCap });
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { MessageText = atCap + "x" });

        Assert.Equal("must be at most 1600 characters", Assert.Single(FieldErrors(result)["messageText"]));
    }

    [Theory]
    [InlineData("numeric")]
    [InlineData("Alpha")]
    [InlineData("DIGITS")]
    [InlineData("")]
    public async Task CreateText_UnknownPinType_IsRefusedNamingIt(string pinType)
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { PinType = pinType });

        Assert.StartsWith($"'{pinType}' is not a PIN type", Assert.Single(FieldErrors(result)["pinType"]));
    }

    [Theory]
    [InlineData("ALPHA", PinType.Alpha)]
    [InlineData("HEX", PinType.Hex)]
    [InlineData("ALPHANUMERIC", PinType.Alphanumeric)]
    public async Task CreateText_EachPinType_IsKept(string wire, PinType expected)
    {
        MessageTemplate template = await CreatedTextAsync(Minimal with { PinType = wire });

        Assert.Equal(expected, template.PinType);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(20)]
    [InlineData(8)]
    public async Task CreateText_PinLengthFourToTwenty_IsAccepted(int length)
    {
        MessageTemplate template = await CreatedTextAsync(Minimal with { PinLength = length });

        Assert.Equal(length, template.PinLength);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(21)]
    [InlineData(0)]
    [InlineData(-4)]
    public async Task CreateText_PinLengthOutsideFourToTwenty_IsRefused(int length)
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { PinLength = length });

        Assert.Equal($"must be between 4 and 20, was {length}", Assert.Single(FieldErrors(result)["pinLength"]));
    }

    [Theory]
    [InlineData("pt-br", "pt_br")]
    [InlineData("PT_BR", "pt_br")]
    [InlineData("zh-tw", "zh_tw")]
    public async Task CreateText_Language_IsStoredInUnderscoreForm(string language, string expected)
    {
        MessageTemplate template = await CreatedTextAsync(Minimal with { Language = language });

        Assert.Equal(expected, template.Language);
    }

    [Fact]
    public async Task CreateText_UnknownLanguage_IsRefusedNamingIt()
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { Language = "xx" });

        Assert.StartsWith("'xx' is not supported", Assert.Single(FieldErrors(result)["language"]));
    }

    [Fact]
    public async Task CreateText_EveryOptionalFieldValid_IsKept()
    {
        MessageTemplate template = await CreatedTextAsync(new TextTemplateInput("Code {{pin}}", "HEX", 6, "de", "InfoSMS", "1#", 1.5, "Marlene", "{\"DE\":{}}"));

        Assert.Equal(("InfoSMS", "1#", 1.5, "Marlene", "{\"DE\":{}}"), (template.SenderId, template.RepeatDtmf, template.SpeechRate, template.VoiceName, template.RegionalJson));
    }

    [Fact]
    public async Task CreateText_EveryOptionalFieldInvalid_ReportsEachAtOnce()
    {
        Result<MessageTemplate> result = await CreateTextAsync(new TextTemplateInput("Code", "numeric", 21, "xx", "TwelveChars1", "abc", 2.5, "", null));

        Assert.Equal(
            ["language", "messageText", "pinLength", "pinType", "repeatDTMF", "senderId", "speechRate", "voiceName"],
            FieldErrors(result).Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await _core.Store.Applications.ListTemplatesAsync(Tenant, ApplicationId, CancellationToken.None));
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(2.0, true)]
    [InlineData(0.49, false)]
    [InlineData(2.01, false)]
    [InlineData(double.NaN, false)]
    public async Task CreateText_SpeechRate_MustBeBetweenHalfAndTwo(double rate, bool accepted)
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { SpeechRate = rate });

        Assert.Equal(accepted, result.IsSuccess);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("*#0", true)]
    [InlineData("12345678901234567890", true)]
    [InlineData("123456789012345678901", false)]
    [InlineData("", false)]
    [InlineData("1a", false)]
    public async Task CreateText_RepeatDtmf_IsKeysOnly(string dtmf, bool accepted)
    {
        Result<MessageTemplate> result = await CreateTextAsync(Minimal with { RepeatDtmf = dtmf });

        Assert.Equal(accepted, result.IsSuccess);
    }

    [Fact]
    public async Task CreateText_UnknownApplication_IsNotFoundAndStoresNothing()
    {
        Result<MessageTemplate> result = await _service.CreateTextAsync(Tenant, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", Minimal, CancellationToken.None);
        Result<MessageTemplate> foreign = await _service.CreateTextAsync("tenant-b", ApplicationId, Minimal, CancellationToken.None);

        Assert.Equal(ErrorKind.NotFound, result.Error!.Kind);
        Assert.Equal(ErrorTexts.ApplicationNotFound, result.Error.Text);
        Assert.Equal(ErrorKind.NotFound, foreign.Error!.Kind);
        Assert.Empty(await _core.Store.Applications.ListTemplatesAsync(Tenant, ApplicationId, CancellationToken.None));
    }

    [Fact]
    public async Task UpdateText_OneField_ChangesOnlyThatField()
    {
        MessageTemplate created = await CreatedTextAsync(new TextTemplateInput("Code {{pin}}", "HEX", 6, "pt-br", "InfoSMS", "1#", 1.5, "Marlene", null));
        _core.Time.Advance(TimeSpan.FromMinutes(3));

        Result<MessageTemplate> result = await _service.UpdateTextAsync(Tenant, ApplicationId, created.Id, Nothing with { PinLength = 8 }, CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Equal(created with { PinLength = 8, UpdatedAt = _core.Time.GetUtcNow() }, result.Value);
        Assert.Equal(result.Value, await _core.Store.Applications.GetTemplateAsync(Tenant, ApplicationId, created.Id, CancellationToken.None));
    }

    [Fact]
    public async Task UpdateText_NoFields_ChangesNothingButTheUpdateTime()
    {
        MessageTemplate created = await CreatedTextAsync(Minimal);
        _core.Time.Advance(TimeSpan.FromSeconds(1));

        Result<MessageTemplate> result = await _service.UpdateTextAsync(Tenant, ApplicationId, created.Id, Nothing, CancellationToken.None);

        Assert.Equal(created with { UpdatedAt = _core.Time.GetUtcNow() }, result.Value);
    }

    [Fact]
    public async Task UpdateText_MessageTextWithoutPin_IsRefusedAndNothingChanges()
    {
        MessageTemplate created = await CreatedTextAsync(Minimal);

        Result<MessageTemplate> result = await _service.UpdateTextAsync(Tenant, ApplicationId, created.Id, Nothing with { MessageText = "no pin", PinLength = 3 }, CancellationToken.None);

        Assert.Equal(["messageText", "pinLength"], FieldErrors(result).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(created, await _core.Store.Applications.GetTemplateAsync(Tenant, ApplicationId, created.Id, CancellationToken.None));
    }

    [Fact]
    public async Task UpdateText_UnknownTemplate_IsNotFound()
    {
        Result<MessageTemplate> result = await _service.UpdateTextAsync(Tenant, ApplicationId, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", Nothing, CancellationToken.None);

        Assert.Equal(ErrorKind.NotFound, result.Error!.Kind);
        Assert.Equal(ErrorTexts.TemplateNotFound, result.Error.Text);
    }

    [Fact]
    public async Task UpdateText_EmailTemplate_IsRefused()
    {
        Result<MessageTemplate> email = await _service.CreateEmailAsync(Tenant, ApplicationId, new EmailTemplateInput(_bodyId, null, null, null, null), CancellationToken.None);

        Result<MessageTemplate> result = await _service.UpdateTextAsync(Tenant, ApplicationId, email.Value!.Id, Nothing with { PinLength = 6 }, CancellationToken.None);

        Assert.Equal(ErrorKind.BadRequest, result.Error!.Kind);
        Assert.Contains("e-mail template", result.Error.Text);
    }

    [Fact]
    public async Task CreateEmail_IdOnly_AppliesDefaults()
    {
        Result<MessageTemplate> result = await _service.CreateEmailAsync(Tenant, ApplicationId, new EmailTemplateInput(_bodyId, null, null, null, null), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Equal(TemplateKind.Email, result.Value!.Kind);
        Assert.Equal(_bodyId, result.Value.EmailTemplateId);
        Assert.Equal(PinType.Numeric, result.Value.PinType);
        Assert.Equal(4, result.Value.PinLength);
        Assert.Null(result.Value.MessageText);
    }

    [Fact]
    public async Task CreateEmail_EveryFieldInvalid_ReportsEachAtOnce()
    {
        Result<MessageTemplate> missingId = await _service.CreateEmailAsync(Tenant, ApplicationId,
            new EmailTemplateInput(null, "a@example.com\r\nBcc: eve@example.com", "hex", 3, "page\n"), CancellationToken.None);
        Result<MessageTemplate> zeroId = await _service.CreateEmailAsync(Tenant, ApplicationId, new EmailTemplateInput(0, null, null, null, null), CancellationToken.None);

        Assert.Equal(["emailTemplateId", "from", "landingPageId", "pinLength", "pinType"], FieldErrors(missingId).Keys.Order(StringComparer.Ordinal));
        Assert.Equal("must be a positive number", Assert.Single(FieldErrors(zeroId)["emailTemplateId"]));
    }

    [Theory]
    [InlineData("company@example.com")]
    [InlineData("Jane Smith <jane@example.com>")]
    public async Task CreateEmail_SenderAddress_IsAccepted(string from)
    {
        Result<MessageTemplate> result = await _service.CreateEmailAsync(Tenant, ApplicationId, new EmailTemplateInput(_bodyId, from, null, null, null), CancellationToken.None);

        Assert.Equal(from, result.Value!.From);
    }

    [Fact]
    public async Task UpdateEmail_OneField_ChangesOnlyThatField()
    {
        MessageTemplate created = (await _service.CreateEmailAsync(Tenant, ApplicationId, new EmailTemplateInput(_bodyId, "a@example.com", "HEX", 6, "landing"), CancellationToken.None)).Value!;
        _core.Time.Advance(TimeSpan.FromMinutes(1));

        Result<MessageTemplate> result = await _service.UpdateEmailAsync(Tenant, ApplicationId, created.Id, new EmailTemplateInput(null, null, "ALPHA", null, null), CancellationToken.None);

        Assert.Equal(created with { PinType = PinType.Alpha, UpdatedAt = _core.Time.GetUtcNow() }, result.Value);
    }

    [Fact]
    public async Task UpdateEmail_TextTemplate_IsRefused()
    {
        MessageTemplate text = await CreatedTextAsync(Minimal);

        Result<MessageTemplate> result = await _service.UpdateEmailAsync(Tenant, ApplicationId, text.Id, new EmailTemplateInput(_bodyId, null, null, null, null), CancellationToken.None);

        Assert.Equal(ErrorKind.BadRequest, result.Error!.Kind);
        Assert.Equal(text, await _core.Store.Applications.GetTemplateAsync(Tenant, ApplicationId, text.Id, CancellationToken.None));
    }

    [Fact]
    public async Task FindAndList_AnotherTenant_IsNotFound()
    {
        MessageTemplate created = await CreatedTextAsync(Minimal);

        Result<MessageTemplate> found = await _service.FindAsync("tenant-b", ApplicationId, created.Id, CancellationToken.None);
        Result<IReadOnlyList<MessageTemplate>> listed = await _service.ListAsync("tenant-b", ApplicationId, CancellationToken.None);
        Result<IReadOnlyList<MessageTemplate>> own = await _service.ListAsync(Tenant, ApplicationId, CancellationToken.None);

        Assert.Equal(ErrorKind.NotFound, found.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, listed.Error!.Kind);
        Assert.Equal([created], own.Value!);
    }
}
