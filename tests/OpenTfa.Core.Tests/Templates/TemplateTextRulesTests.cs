using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tests.Services;

namespace OpenTfa.Core.Tests.Templates;

/// <summary>Control characters in message texts, and the regional options, as Core checks them for every surface.</summary>
public sealed class TemplateTextRulesTests : IAsyncLifetime
{
    private const string Tenant = "tenant-a";
    private const string ApplicationId = "0123456789ABCDEF0123456789ABCDEF";

    private SqliteCore _core = null!;
    private TemplateService _service = null!;

    public async Task InitializeAsync()
    {
        _core = await SqliteCore.StartAsync();
        _service = _core.Templates;
        DateTimeOffset now = _core.Time.GetUtcNow();
        await _core.Store.Applications.CreateApplicationAsync(new Application(ApplicationId, Tenant, "Login", true, ApplicationSettings.Defaults, now, now), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    private Task<Result<MessageTemplate>> CreateAsync(string text, string? regional = null) =>
        _service.CreateTextAsync(Tenant, ApplicationId, new TextTemplateInput(text, "NUMERIC", null, null, null, null, null, null, regional), CancellationToken.None);

    [Theory]
    [InlineData("Your code\u0000 is {{pin}}")]
    [InlineData("Your code\u0007 is {{pin}}")]
    [InlineData("Your code\u001B[31m is {{pin}}")]
    [InlineData("Your code\u0085 is {{pin}}")]
    public async Task CreateText_MessageTextWithAControlCharacter_IsRefusedNamingIt(string text)
    {
        Result<MessageTemplate> result = await CreateAsync(text);

        Assert.Equal(ErrorKind.BadRequest, result.Error?.Kind);
        Assert.Contains("messageText", result.Error!.ValidationErrors!.Keys);
    }

    [Fact]
    public async Task CreateText_MessageTextWithLineBreaksAndTabs_IsKept()
    {
        Result<MessageTemplate> result = await CreateAsync("Your code:\r\n\t{{pin}}\nValid 10 minutes.");

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Equal("Your code:\r\n\t{{pin}}\nValid 10 minutes.", result.Value!.MessageText);
    }

    [Theory]
    [InlineData("""{"indiaDlt":{}}""", "regional.indiaDlt.principalEntityId")]
    [InlineData("""{"indiaDlt":{"principalEntityId":"1234567890123456789012345678901"}}""", "regional.indiaDlt.principalEntityId")]
    [InlineData("""{"indiaDlt":{"principalEntityId":"1","contentTemplateId":"1234567890123456789012345678901"}}""", "regional.indiaDlt.contentTemplateId")]
    [InlineData("""{"indiaDlt":{"principalEntityId":"1","teleMarketerId":"a\tb"}}""", "regional.indiaDlt.teleMarketerId")]
    [InlineData("""{"indiaDlt":"1101"}""", "regional.indiaDlt")]
    public async Task CreateText_InvalidIndiaDlt_IsRefusedWithTheDottedPath(string regional, string field)
    {
        Result<MessageTemplate> result = await CreateAsync("Code {{pin}}", regional);

        Assert.Equal(ErrorKind.BadRequest, result.Error?.Kind);
        Assert.Contains(field, result.Error!.ValidationErrors!.Keys);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"indiaDlt":null}""")]
    [InlineData("""{"indiaDlt":{"principalEntityId":"123456789012345678901234567890","contentTemplateId":"1107","teleMarketerId":"TM"}}""")]
    public async Task CreateText_ValidRegional_IsStored(string regional)
    {
        Result<MessageTemplate> result = await CreateAsync("Code {{pin}}", regional);

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Equal(regional, result.Value!.RegionalJson);
    }
}
