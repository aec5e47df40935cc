using OpenTfa.Client;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests.Infrastructure;

/// <summary>The requests of the seed flow, and applications whose limits stay out of the way.</summary>
public static class Requests
{
    public static ApplicationRequest SeedApplication() => new()
    {
        Name = "My 2FA application",
        Enabled = true,
        Configuration = new ApplicationConfiguration
        {
            AllowMultiplePinVerifications = true,
            PinAttempts = 5,
            PinTimeToLive = "10m",
            SendPinPerApplicationLimit = "2/4s",
            SendPinPerPhoneNumberLimit = "2/1d",
            VerifyPinLimit = "5000/12h",
        },
    };

    public static MessageTemplateRequest SeedTemplate() => new()
    {
        MessageText = "Your pin is {{pin}}",
        PinLength = 4,
        PinType = "NUMERIC",
        Language = "en",
    };

    public static ApplicationRequest RoomyApplication(string name = "test", string phoneLimit = "100000/1d", bool enabled = true) => new()
    {
        Name = name,
        Enabled = enabled,
        Configuration = new ApplicationConfiguration
        {
            AllowMultiplePinVerifications = true,
            PinAttempts = 10,
            PinTimeToLive = "15m",
            SendPinPerApplicationLimit = "100000/1d",
            SendPinPerPhoneNumberLimit = phoneLimit,
            VerifyPinLimit = "100000/1d",
        },
    };

    public static async Task<(string App, string Template)> CreateAppAndTemplateAsync(this OpenTfaClient client, ApplicationRequest? application = null)
    {
        ApplicationResponse app = await client.CreateApplicationAsync(application ?? RoomyApplication());
        MessageTemplateResponse template = await client.CreateMessageTemplateAsync(app.ApplicationId, SeedTemplate());
        return (app.ApplicationId, template.MessageId);
    }

    /// <summary>A destination no other test uses, so that limits and deliveries never meet.</summary>
    public static string NewNumber() => "4179" + Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
