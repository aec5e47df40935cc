using System.Collections.Concurrent;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tests.Fakes;

/// <summary>Applications and templates held in memory, keyed by tenant so that tenants stay apart.</summary>
internal sealed class InMemoryApplicationStore : IApplicationStore
{
    private readonly ConcurrentDictionary<(string TenantId, string Id), Application> _applications = new();
    private readonly ConcurrentDictionary<(string TenantId, string ApplicationId, string Id), MessageTemplate> _templates = new();

    /// <summary>How many create and update calls the code under test made.</summary>
    public int Writes { get; private set; }

    /// <summary>Puts an application in place as a test's starting point, without counting a write.</summary>
    public void Seed(Application application) => _applications[(application.TenantId, application.Id)] = application;

    public Task CreateApplicationAsync(Application application, CancellationToken cancellationToken)
    {
        Writes++;
        _applications[(application.TenantId, application.Id)] = application;
        return Task.CompletedTask;
    }

    public Task<Application?> GetApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        Task.FromResult(_applications.GetValueOrDefault((tenantId, applicationId)));

    public Task<IReadOnlyList<Application>> ListApplicationsAsync(string tenantId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Application>>(_applications.Values.Where(a => a.TenantId == tenantId).ToArray());

    public Task<bool> UpdateApplicationAsync(Application application, CancellationToken cancellationToken)
    {
        Writes++;
        if (!_applications.ContainsKey((application.TenantId, application.Id)))
        {
            return Task.FromResult(false);
        }

        _applications[(application.TenantId, application.Id)] = application;
        return Task.FromResult(true);
    }

    public Task CreateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        Writes++;
        _templates[(template.TenantId, template.ApplicationId, template.Id)] = template;
        return Task.CompletedTask;
    }

    public Task<MessageTemplate?> GetTemplateAsync(string tenantId, string applicationId, string templateId, CancellationToken cancellationToken) =>
        Task.FromResult(_templates.GetValueOrDefault((tenantId, applicationId, templateId)));

    public Task<IReadOnlyList<MessageTemplate>> ListTemplatesAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<MessageTemplate>>(_templates.Values.Where(t => t.TenantId == tenantId && t.ApplicationId == applicationId).ToArray());

    public Task<bool> UpdateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        Writes++;
        if (!_templates.ContainsKey((template.TenantId, template.ApplicationId, template.Id)))
        {
            return Task.FromResult(false);
        }

        _templates[(template.TenantId, template.ApplicationId, template.Id)] = template;
        return Task.FromResult(true);
    }
}
