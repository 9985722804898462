// veraPDF, the PDF Association's reference PDF/A validator, on the files named: one line per file
// ("<file>\tcompliant" or "<file>\tnot compliant"), then each failed rule indented
// ("  <clause>-<test>: <message>"). Run by test/support/verapdf.ts with the libraries
// scripts/setup-verapdf.sh installs: java -cp '.tools/verapdf/lib/*' PdfaCheck.java 3b a.pdf ...
import java.io.FileInputStream;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

public class PdfaCheck {
  public static void main(String[] args) throws Exception {
    VeraGreenfieldFoundryProvider.initialise();
    PDFAFlavour flavour = PDFAFlavour.fromString(args[0]);
    for (int i = 1; i < args.length; i++) {
      try (PDFAParser parser = Foundries.defaultInstance().createParser(new FileInputStream(args[i]), flavour);
           PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false)) {
        ValidationResult r = validator.validate(parser);
        System.out.println(args[i] + "\t" + (r.isCompliant() ? "compliant" : "not compliant"));
        for (TestAssertion t : r.getTestAssertions()) {
          if (t.getStatus() == TestAssertion.Status.FAILED) System.out.println("  " + t.getRuleId().getClause() + "-" + t.getRuleId().getTestNumber() + ": " + t.getMessage());
        }
      }
    }
  }
}
