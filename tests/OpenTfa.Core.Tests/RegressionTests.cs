using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Security;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Tests;

public sealed class RegressionTests
{
    [Fact]
    public void Count_ExtensionCharacterAcrossASegmentBoundary_MovesToTheNextSegment()
    {
        // 306 septets, but the escape pair of '€' cannot be split between septets 153 and 154.
        Assert.Equal(3, SmsSegments.Count(new string('a', 152) + "€" + new string('a', 152)));
    }

    [Fact]
    public void Count_SurrogatePairAcrossASegmentBoundary_MovesToTheNextSegment()
    {
        // 134 UTF-16 units, but the emoji cannot be split between units 67 and 68.
        Assert.Equal(3, SmsSegments.Count(new string('д', 66) + "😀" + new string('д', 66)));
    }

    [Fact]
    public void Blocked_MoreFailuresThanTheLimit_WaitsUntilEnoughHaveAgedOut()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(time, maxFailuresPerMinute: 3);
        for (int i = 0; i < 4; i++)
        {
            throttle.RecordFailure("a", keyId: null);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        TimeSpan wait = throttle.Blocked("a", keyId: null)!.Value;
        time.Advance(wait);

        Assert.Null(throttle.Blocked("a", keyId: null));
    }

    [Fact]
    public void Open_TruncatedData_FailsAsCryptographicException()
    {
        var protector = new SecretProtector(new EncryptionKeyRing([new EncryptionKey("k1", RandomNumberGenerator.GetBytes(32))]));
        SealedSecret sealedSecret = protector.Seal("ID", "1234");

        Assert.ThrowsAny<CryptographicException>(() => protector.Open("ID", sealedSecret with { Data = sealedSecret.Data[..20] }));
    }

    [Fact]
    public void Parse_DuplicateKeyId_IsRefusedNamingTheId()
    {
        string text = EncryptionKeyRing.NewKeyLine("k1") + "\n" + EncryptionKeyRing.NewKeyLine("k1");

        var exception = Assert.Throws<InvalidOperationException>(() => EncryptionKeyRing.Parse(text, "keys"));
        Assert.Contains("k1", exception.Message);
    }
}
