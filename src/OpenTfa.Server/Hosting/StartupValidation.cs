using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// Refuses to start on a bad configuration, naming every problem at once (never a secret value):
/// keys that are not settings, values of the wrong shape, then what the options validators say.
/// The store and the data folder are chosen while services are registered, so the check runs
/// then, with the very registrations and validators that <c>ValidateOnStart</c> runs again when the host starts.
/// </summary>
internal static class StartupValidation
{
    public const string Heading = "Invalid OpenTfa configuration:";

    public static void ThrowIfInvalid(IConfiguration configuration, IReadOnlyCollection<IChannelFactory> factories)
    {
        UnknownSettings names = UnknownSettings.Check(configuration.GetSection(OpenTfaOptions.Section), factories);
        List<string> problems = [.. names.Unknown, .. names.Unreadable];
        if (names.Unreadable.Count == 0)
        {
            problems.AddRange(Validate(configuration, factories));
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(Heading + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems.Distinct()));
        }
    }

    private static IEnumerable<string> Validate(IConfiguration configuration, IReadOnlyCollection<IChannelFactory> factories)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddOpenTfaSettings(configuration, factories);
        using ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return e.Failures;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures);
        }
    }
}
