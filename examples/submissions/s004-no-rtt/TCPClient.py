import sys
from socket import *

serverName = 'server'  # name of the server host in the lab
serverPort = 12000

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)
sentence = input('Input lowercase sentence:')
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence.encode())
    clientSocket.shutdown(SHUT_WR)
    modifiedSentence = b''
    while True:
        part = clientSocket.recv(1024)
        if not part:
            break
        modifiedSentence += part
except OSError as e:
    print('Server not responding:', e)
    sys.exit(1)
print('From Server:', modifiedSentence.decode())
clientSocket.close()
