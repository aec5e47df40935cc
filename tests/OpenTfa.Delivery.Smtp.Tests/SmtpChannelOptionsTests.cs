using Microsoft.Extensions.Configuration;

namespace OpenTfa.Delivery.Smtp.Tests;

public sealed class SmtpChannelOptionsTests
{
    private static IConfigurationSection Section(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"OpenTfa:Channels:mail:{s.Key}", s.Value)))
            .Build()
            .GetSection("OpenTfa:Channels:mail");

    [Fact]
    public void Defaults_StartTlsOnPort587_TwentySecondTimeout_CertificatesValidated()
    {
        SmtpChannelOptions options = SmtpChannelOptions.Bind(Section(("Type", "smtp"), ("Host", "smtp.example.com")), TimeSpan.FromSeconds(30), out var problems);

        Assert.Empty(problems);
        Assert.Equal(SmtpSecurity.StartTls, options.Security);
        Assert.Equal(587, options.Port);
        Assert.False(options.AllowInvalidCertificate);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Timeout);
    }

    [Theory]
    [InlineData("None", 25)]
    [InlineData("Tls", 465)]
    [InlineData("starttls", 587)]
    public void PortFollowsSecurity(string security, int port)
    {
        SmtpChannelOptions options = SmtpChannelOptions.Bind(Section(("Host", "h"), ("Security", security)), TimeSpan.FromSeconds(30), out var problems);

        Assert.Empty(problems);
        Assert.Equal(port, options.Port);
    }

    [Fact]
    public void PasswordFile_IsRead()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "from-file\n");
        try
        {
            SmtpChannelOptions options = SmtpChannelOptions.Bind(Section(("Host", "h"), ("Username", "u"), ("PasswordFile", file)), TimeSpan.FromSeconds(30), out var problems);
            Assert.Empty(problems);
            Assert.Equal("from-file", options.Password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void EveryBadSetting_IsNamed_AndNoPasswordIsShown()
    {
        SmtpChannelOptions.Bind(Section(
            ("Port", "99999"), ("Security", "Ssl"), ("From", "not an address"), ("Username", "u"),
            ("HeloName", "a b"), ("Timeout", "00:01:00"), ("Pasword", "oops-typo")), TimeSpan.FromSeconds(30), out var problems);

        string all = string.Join('\n', problems);
        Assert.Contains("OpenTfa:Channels:mail:Host is required", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Port", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Security must be one of None, StartTls, Tls; got 'Ssl'", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:From", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:HeloName", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Timeout", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Password (or PasswordFile) is required when Username is set", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Pasword is not a setting of the smtp channel", all, StringComparison.Ordinal);
        Assert.DoesNotContain("oops-typo", all, StringComparison.Ordinal);
    }
}
