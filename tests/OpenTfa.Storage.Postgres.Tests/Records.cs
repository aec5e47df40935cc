using System.Security.Cryptography;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;

namespace OpenTfa.Storage.Postgres.Tests;

/// <summary>PINs and messages as the services hand them to the store, sealed with a test key.</summary>
internal static class Records
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly SecretProtector Protector =
        new(new EncryptionKeyRing([new EncryptionKey("test-key", RandomNumberGenerator.GetBytes(32))]));

    public static PinRecord NewPin(string applicationId, int attempts, DateTimeOffset createdAt)
    {
        string id = Ids.New();
        return new PinRecord(id, "tenant-a", applicationId, "tpl", ChannelKind.Sms, "41793026727", Protector.Seal(id, "1234"),
            createdAt, createdAt.AddMinutes(15), attempts, true, PlaceholdersJson: "{}");
    }

    public static OutboxMessage NewMessage(PinRecord pin)
    {
        string id = Ids.New();
        return new OutboxMessage(id, pin.Id, pin.TenantId, pin.ApplicationId, pin.Kind, pin.Destination, "OpenTfa",
            Protector.Seal(id, "Your PIN is 1234"), pin.CreatedAt, pin.ExpiresAt);
    }
}
