# TCPServer.py - Lab 3, section 4.2: TCP server that capitalizes what it receives.
import os
from socket import *

serverPort = int(os.environ.get('SERVER_PORT', '12000'))

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)  # restart without "Address already in use"
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive', flush=True)

while True:
    connectionSocket, addr = serverSocket.accept()
    # A client that never sends must not block the others forever.
    connectionSocket.settimeout(10)
    try:
        # TCP is a byte stream: a long sentence can arrive in several pieces,
        # so keep answering until the client closes its side (recv returns b'').
        while True:
            sentence = connectionSocket.recv(1024)
            if not sentence:
                break
            capitalizedSentence = sentence.upper()
            connectionSocket.sendall(capitalizedSentence)
    except OSError as e:
        print('Connection from', addr, 'ended with an error:', e, flush=True)
    connectionSocket.close()
