using OpenTfa.Core.Applications;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    [Fact]
    public async Task CreateApplication_ThenGet_ReturnsEveryField()
    {
        var application = new Application(NewId(), "tenant-a", "Shop", false,
            new ApplicationSettings(false, 7, "30m", "500/1h", "5/12h", "3/10s"), T0, T0.AddSeconds(1));

        await Applications.CreateApplicationAsync(application, Ct);

        Assert.Equal(application, await Applications.GetApplicationAsync("tenant-a", application.Id, Ct));
    }

    [Fact]
    public async Task GetApplication_OfAnotherTenantOrUnknown_ReturnsNull()
    {
        Application application = await CreateApplicationAsync("tenant-a");

        Assert.Null(await Applications.GetApplicationAsync("tenant-b", application.Id, Ct));
        Assert.Null(await Applications.GetApplicationAsync("tenant-a", NewId(), Ct));
    }

    [Fact]
    public async Task ListApplications_ReturnsOnlyTheTenantsInCreationOrder()
    {
        Application second = await CreateApplicationAsync("tenant-a", T0.AddMinutes(1), "Second");
        Application first = await CreateApplicationAsync("tenant-a", T0, "First");
        await CreateApplicationAsync("tenant-b", T0, "Foreign");

        Assert.Equal([first, second], await Applications.ListApplicationsAsync("tenant-a", Ct));
        Assert.Empty(await Applications.ListApplicationsAsync("tenant-c", Ct));
    }

    [Fact]
    public async Task UpdateApplication_ReplacesNameStateAndSettings()
    {
        Application application = await CreateApplicationAsync("tenant-a");
        Application updated = application with
        {
            Name = "Renamed",
            Enabled = false,
            Settings = new ApplicationSettings(false, 3, "5m", "100/1d", "2/1h", "1/5s"),
            UpdatedAt = T0.AddHours(1),
        };

        Assert.True(await Applications.UpdateApplicationAsync(updated, Ct));

        Assert.Equal(updated, await Applications.GetApplicationAsync("tenant-a", application.Id, Ct));
    }

    [Fact]
    public async Task UpdateApplication_OfAnotherTenantOrUnknown_ReturnsFalseAndChangesNothing()
    {
        Application application = await CreateApplicationAsync("tenant-a");

        Assert.False(await Applications.UpdateApplicationAsync(application with { TenantId = "tenant-b", Name = "Hijacked" }, Ct));
        Assert.False(await Applications.UpdateApplicationAsync(application with { Id = NewId() }, Ct));

        Assert.Equal(application, await Applications.GetApplicationAsync("tenant-a", application.Id, Ct));
        Assert.Null(await Applications.GetApplicationAsync("tenant-b", application.Id, Ct));
    }

    [Fact]
    public async Task CreateTemplate_ThenGet_ReturnsEveryField()
    {
        Application application = await CreateApplicationAsync("tenant-a");
        MessageTemplate text = NewTextTemplate("tenant-a", application.Id);
        MessageTemplate email = NewEmailTemplate("tenant-a", application.Id, T0.AddSeconds(1));

        await Applications.CreateTemplateAsync(text, Ct);
        await Applications.CreateTemplateAsync(email, Ct);

        Assert.Equal(text, await Applications.GetTemplateAsync("tenant-a", application.Id, text.Id, Ct));
        Assert.Equal(email, await Applications.GetTemplateAsync("tenant-a", application.Id, email.Id, Ct));
    }

    [Fact]
    public async Task GetTemplate_OfAnotherTenantOrApplication_ReturnsNull()
    {
        Application application = await CreateApplicationAsync("tenant-a");
        Application other = await CreateApplicationAsync("tenant-a");
        MessageTemplate template = NewTextTemplate("tenant-a", application.Id);
        await Applications.CreateTemplateAsync(template, Ct);

        Assert.Null(await Applications.GetTemplateAsync("tenant-b", application.Id, template.Id, Ct));
        Assert.Null(await Applications.GetTemplateAsync("tenant-a", other.Id, template.Id, Ct));
        Assert.Null(await Applications.GetTemplateAsync("tenant-a", application.Id, NewId(), Ct));
    }

    [Fact]
    public async Task ListTemplates_ReturnsTheApplicationsInCreationOrder()
    {
        Application application = await CreateApplicationAsync("tenant-a");
        Application other = await CreateApplicationAsync("tenant-a");
        MessageTemplate second = NewEmailTemplate("tenant-a", application.Id, T0.AddMinutes(1));
        MessageTemplate first = NewTextTemplate("tenant-a", application.Id, T0);
        await Applications.CreateTemplateAsync(second, Ct);
        await Applications.CreateTemplateAsync(first, Ct);
        await Applications.CreateTemplateAsync(NewTextTemplate("tenant-a", other.Id), Ct);

        Assert.Equal([first, second], await Applications.ListTemplatesAsync("tenant-a", application.Id, Ct));
        Assert.Empty(await Applications.ListTemplatesAsync("tenant-b", application.Id, Ct));
    }

    [Fact]
    public async Task UpdateTemplate_StoresTheNewFields()
    {
        Application application = await CreateApplicationAsync("tenant-a");
        MessageTemplate template = NewTextTemplate("tenant-a", application.Id);
        await Applications.CreateTemplateAsync(template, Ct);
        MessageTemplate updated = template with
        {
            PinType = PinType.Hex,
            PinLength = 10,
            MessageText = "Code: {{pin}}",
            Language = "pt_br",
            SenderId = null,
            SpeechRate = null,
            UpdatedAt = T0.AddMinutes(9),
        };

        Assert.True(await Applications.UpdateTemplateAsync(updated, Ct));

        Assert.Equal(updated, await Applications.GetTemplateAsync("tenant-a", application.Id, template.Id, Ct));
    }

    [Fact]
    public async Task UpdateTemplate_OfAnotherTenantOrApplication_ReturnsFalseAndChangesNothing()
    {
        Application application = await CreateApplicationAsync("tenant-a");
        MessageTemplate template = NewTextTemplate("tenant-a", application.Id);
        await Applications.CreateTemplateAsync(template, Ct);

        Assert.False(await Applications.UpdateTemplateAsync(template with { TenantId = "tenant-b", MessageText = "x {{pin}}" }, Ct));
        Assert.False(await Applications.UpdateTemplateAsync(template with { ApplicationId = NewId(), MessageText = "y {{pin}}" }, Ct));

        Assert.Equal(template, await Applications.GetTemplateAsync("tenant-a", application.Id, template.Id, Ct));
    }
}
