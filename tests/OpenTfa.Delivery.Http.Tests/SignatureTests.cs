using OpenTfa.Core.Security;
using System.Security.Cryptography;
using System.Text;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Delivery.Http.Tests;

public sealed class SignatureTests
{
    private static readonly KeyValuePair<string, string>[] TwilioExample =
    [
        new("CallSid", "CA1234567890ABCDE"),
        new("Caller", "+12349013030"),
        new("Digits", "1234"),
        new("From", "+12349013030"),
        new("To", "+18005551212"),
    ];

    [Fact]
    public void Twilio_DocumentedExample_Matches()
    {
        // Twilio's security documentation: this URL and these parameters with Auth Token 12345.
        Assert.Equal("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", TwilioSignature.Compute("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", TwilioExample.Reverse()));
        Assert.True(TwilioSignature.IsValid("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", TwilioExample, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
    }

    [Fact]
    public void Twilio_AnyChange_OrNoSignature_DoesNotMatch()
    {
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        KeyValuePair<string, string>[] tampered = [.. TwilioExample.Take(4), new("To", "+18005551213")];
        Assert.False(TwilioSignature.IsValid("12345", url, tampered, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.False(TwilioSignature.IsValid("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", TwilioExample, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.False(TwilioSignature.IsValid("54321", url, TwilioExample, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.False(TwilioSignature.IsValid("12345", url, TwilioExample, null));
        Assert.False(TwilioSignature.IsValid("12345", url, TwilioExample, string.Empty));
    }

    [Fact]
    public void OpenTfa_Signature_IsHexHmacSha256OfTimeDotBody()
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"messageId":"M1"}""");
        DateTimeOffset at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        string header = OpenTfaSignature.Create("whsec-0123456789abcdef", at, body);

        string expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec-0123456789abcdef"), Encoding.UTF8.GetBytes("1700000000." + """{"messageId":"M1"}""")));
        Assert.Equal($"t=1700000000,v1={expected}", header);
        Assert.True(OpenTfaSignature.Verify("whsec-0123456789abcdef", header, body, at.AddMinutes(4)));
        Assert.False(OpenTfaSignature.Verify("whsec-0123456789abcdef", header, body, at.AddMinutes(6)));
        Assert.False(OpenTfaSignature.Verify("another-secret-0123", header, body, at));
        Assert.False(OpenTfaSignature.Verify("whsec-0123456789abcdef", header, Encoding.UTF8.GetBytes("""{"messageId":"M2"}"""), at));
        Assert.False(OpenTfaSignature.Verify("whsec-0123456789abcdef", null, body, at));
    }
}
