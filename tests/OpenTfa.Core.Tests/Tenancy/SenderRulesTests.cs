using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Tests.Tenancy;

public sealed class SenderRulesTests
{
    private static readonly PinOptions Service = new() { DefaultSmsSender = "OpenTfa", DefaultEmailFrom = "OpenTfa <no-reply@opentfa.example>" };

    private static MessageTemplate Template(string? senderId = null, string? from = null) =>
        new("t", "tenant", "app", from is null ? TemplateKind.Text : TemplateKind.Email, PinType.Numeric, 4, "{{pin}}", "en", senderId,
            null, null, null, null, null, from, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static string? Resolved(ChannelKind kind, string? requested, MessageTemplate template, TenantSenders? tenant, PinOptions? options = null)
    {
        Result<string?> result = SenderRules.Resolve(kind, requested, template, tenant, options ?? Service);
        Assert.True(result.IsSuccess, result.Error?.Text);
        return result.Value;
    }

    private static TfaError Refused(ChannelKind kind, string? requested, MessageTemplate template, TenantSenders? tenant, PinOptions? options = null)
    {
        Result<string?> result = SenderRules.Resolve(kind, requested, template, tenant, options ?? Service);
        Assert.False(result.IsSuccess, $"'{result.Value}' was allowed");
        return result.Error!;
    }

    [Fact]
    public void WithoutAnyList_EverySenderIsAllowed_AndTheDefaultsFillIn()
    {
        Assert.Equal("Anyone", Resolved(ChannelKind.Sms, "Anyone", Template(), null));
        Assert.Equal("FromTmpl", Resolved(ChannelKind.Sms, null, Template("FromTmpl"), null));
        Assert.Equal("OpenTfa", Resolved(ChannelKind.Sms, null, Template(), null));
        Assert.Null(Resolved(ChannelKind.Voice, null, Template(), null));
        Assert.Equal(Service.DefaultEmailFrom, Resolved(ChannelKind.Email, null, Template(), null));
    }

    [Fact]
    public void ATenantList_AllowsOnlyItsSenders_AndItsFirstIsTheDefault()
    {
        var acme = new TenantSenders(["AcmeBank", "+41791234567"], ["@acme.example", "Security <sec@other.example>"]);

        Assert.Equal("AcmeBank", Resolved(ChannelKind.Sms, null, Template(), acme));
        Assert.Equal("+41791234567", Resolved(ChannelKind.Voice, "+41791234567", Template(), acme));
        Assert.Equal("from", Refused(ChannelKind.Sms, "BetaPay", Template(), acme).ValidationErrors!.Keys.Single());
        Assert.Equal("from", Refused(ChannelKind.Sms, "acmebank", Template(), acme).ValidationErrors!.Keys.Single());
        Assert.Equal("messageId", Refused(ChannelKind.Sms, null, Template("BetaPay"), acme).ValidationErrors!.Keys.Single());

        // A domain entry covers every address there, in any letter case; a display name is free.
        Assert.Equal("Alerts <ALERTS@Acme.Example>", Resolved(ChannelKind.Email, "Alerts <ALERTS@Acme.Example>", Template(), acme));
        Assert.Equal("sec@other.example", Resolved(ChannelKind.Email, "sec@other.example", Template(), acme));
        Refused(ChannelKind.Email, "other@other.example", Template(), acme);
        Refused(ChannelKind.Email, "x@sub.acme.example", Template(), acme);
        Refused(ChannelKind.Email, "x@acme.example.evil", Template(), acme);

        // The e-mail default is the first whole address, never a domain entry.
        Assert.Equal("Security <sec@other.example>", Resolved(ChannelKind.Email, null, Template(), acme));
    }

    [Fact]
    public void TheServiceDefault_StaysAllowed_AndAnEmptyListLeavesOnlyIt()
    {
        var none = new TenantSenders([], null);

        Assert.Equal("OpenTfa", Resolved(ChannelKind.Sms, null, Template(), none));
        Assert.Equal("OpenTfa", Resolved(ChannelKind.Sms, "OpenTfa", Template(), none));
        Refused(ChannelKind.Sms, "Anything", Template(), none);

        // A null e-mail list leaves e-mail to the service-wide rule.
        Assert.Equal("a@b.example", Resolved(ChannelKind.Email, "a@b.example", Template(), none));
    }

    [Fact]
    public void TheServiceWideList_AppliesToTenantsWithoutTheirOwn_AndToTemplateSenders()
    {
        var options = new PinOptions { DefaultSmsSender = "OpenTfa" };
        options.AllowedSenders.Add("Shared");

        Assert.Equal("Shared", Resolved(ChannelKind.Sms, "Shared", Template(), null, options));
        Assert.Contains("this service", Refused(ChannelKind.Sms, "Other", Template(), null, options).Text, StringComparison.Ordinal);
        Refused(ChannelKind.Sms, null, Template("Other"), null, options);

        // A tenant's own list replaces the service-wide one for that kind.
        Assert.Equal("Own", Resolved(ChannelKind.Sms, "Own", Template(), new TenantSenders(["Own"], null), options));
        Assert.Contains("this tenant", Refused(ChannelKind.Sms, "Shared", Template(), new TenantSenders(["Own"], null), options).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sms", "Twelve chars", "sms[0]")]
    [InlineData("sms", "", "sms[0]")]
    [InlineData("email", "not an address", "email[0]")]
    [InlineData("email", "@", "email[0]")]
    [InlineData("email", "@exa mple.com", "email[0]")]
    [InlineData("email", "a@b.example\r\nBcc: c@d.example", "email[0]")]
    public void Validate_NamesTheBadEntry(string field, string entry, string named)
    {
        var errors = new ValidationErrors();
        SenderRules.Validate(field, [entry], errors);
        Assert.Equal([named], errors.ToDictionary().Keys);
    }

    [Fact]
    public void Validate_RefusesDuplicatesAndTooLongLists()
    {
        var errors = new ValidationErrors();
        SenderRules.Validate("email", ["a@b.example", "A@B.example"], errors);
        SenderRules.Validate("sms", Enumerable.Range(0, SenderRules.MaxEntries + 1).Select(i => $"S{i}").ToArray(), errors);
        SenderRules.Validate("sms", ["Ok", "@acme.example"], errors);

        Assert.Equal(["email[1]", "sms", "sms[1]"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }
}
